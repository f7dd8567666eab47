import Foundation

/// Why a file could not be written: the system's own words (`No space left on device`), not Foundation's.
public struct FileWriteError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var errno: Int32

    public var description: String { String(cString: strerror(errno)) }
}

/// The one way a whole file is written where a partial one would mislead: every byte, then fsync, so what a
/// later rename publishes is complete, and a full disk is reported as such.
public enum DurableFile {
    /// Creates `path` (refusing an existing file) with `bytes`; on any failure the partial file is removed.
    public static func create(_ bytes: Data, at path: String, mode: mode_t = 0o644) throws(FileWriteError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw FileWriteError(path: path, errno: errno) }
        func fail(_ code: Int32) -> FileWriteError {
            close(descriptor)
            unlink(path)
            return FileWriteError(path: path, errno: code)
        }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                Foundation.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
            }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw fail(count == 0 ? EIO : errno) }
            written += count
        }
        guard fsync(descriptor) == 0 else { throw fail(errno) }
        guard close(descriptor) == 0 else {
            let code = errno
            unlink(path)
            throw FileWriteError(path: path, errno: code)
        }
    }
}
