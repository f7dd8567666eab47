import AuditCrypto
import Foundation

/// The image file a run pushes, identified by its SHA-256 so the log proves which bytes were flashed.
public struct FirmwareImage: Sendable, Hashable {
    public var path: String
    public var sha256: Digest

    public init(path: String, sha256: Digest) {
        self.path = path
        self.sha256 = sha256
    }

    /// The file name without its directory, as `procedure.started` records it.
    public var name: String { (path as NSString).lastPathComponent }

    /// Hashes the file once, streamed; a missing, unreadable or empty image, or one that is not a regular file,
    /// stops the run before the log is touched.
    public static func read(path: String) throws(RunError) -> FirmwareImage {
        // Checked before it is opened: opening a FIFO would wait for a writer, and no flasher takes 0 bytes.
        var status = stat()
        if stat(path, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFREG else {
                throw .unusableImage(path: path, reason: "is not a regular file")
            }
            guard status.st_size > 0 else { throw .unusableImage(path: path, reason: "is empty (0 bytes)") }
        }
        do { return FirmwareImage(path: path, sha256: try Digest.sha256(fileAt: path)) } catch { throw .image(error) }
    }
}
