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

    /// Hashes the file in 1 MiB chunks so a large image never sits whole in memory.
    public static func read(path: String) throws(RunError) -> FirmwareImage {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .image(
                path: path, reason: FileManager.default.fileExists(atPath: path) ? "not readable" : "no such file")
        }
        defer { try? handle.close() }
        let hasher = SHA256Hasher()
        do {
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                chunk.withUnsafeBytes { hasher.update($0) }
            }
        } catch {
            throw .image(path: path, reason: error.localizedDescription)
        }
        return FirmwareImage(path: path, sha256: hasher.finalize())
    }
}
