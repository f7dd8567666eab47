import AuditCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a file could not be hashed: it is not there, or reading it failed part way.
public struct FileReadError: AuditFailure, Equatable, CustomStringConvertible {
    public var path: String
    /// The `errno` of the failed `open` or `read`.
    public var errno: Int32

    public init(path: String, errno: Int32) {
        self.path = path
        self.errno = errno
    }

    /// A missing file is something named that does not exist; anything else (a directory, no permission, a
    /// failing disk) is an I/O error.
    public var exitStatus: SysExit { errno == ENOENT || errno == ENOTDIR ? .notFound : .ioError }

    public var description: String {
        let reason = strerror(errno).map { String(cString: $0) } ?? "errno \(errno)"
        return errno == ENOENT ? "no such file \(path)" : "cannot read \(path): \(reason)"
    }
}

extension Digest {
    /// The SHA-256 of a file's bytes, read in 1 MiB chunks so a large firmware image never sits whole in memory.
    public static func sha256(fileAt path: String) throws(FileReadError) -> Digest {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileReadError(path: path, errno: errno) }
        defer { close(fd) }
        let hasher = SHA256Hasher()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileReadError(path: path, errno: errno)
            }
            buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
        }
        return hasher.finalize()
    }
}
