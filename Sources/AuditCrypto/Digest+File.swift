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
    /// A file too large for what reads it (EFBIG) is invalid input.
    public var exitStatus: SysExit {
        switch errno {
        case ENOENT, ENOTDIR: .notFound
        case EFBIG: .invalidInput
        default: .ioError
        }
    }

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

/// read(2), named apart from `FileContents.read`.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}

/// A whole file's bytes, for evidence that is stored as one copy (a photo); the same errors as hashing a file.
public enum FileContents {
    public static func read(at path: String, limit: Int) throws(FileReadError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileReadError(path: path, errno: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileReadError(path: path, errno: errno)
            }
            // Past the limit the caller refuses the file; reading on would only hold more of it in memory.
            if bytes.count + count > limit { throw FileReadError(path: path, errno: EFBIG) }
            bytes.append(contentsOf: buffer[..<count])
        }
    }
}
