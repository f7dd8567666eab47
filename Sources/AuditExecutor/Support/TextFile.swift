import AuditCrypto

/// Reads a small text file (answers, flasher configuration) with the errno kept, so a missing file and an
/// unreadable one end with different exit statuses.
enum TextFile {
    /// Far above any answers file or flasher configuration; a larger file is refused rather than held.
    static let limit = 16 << 20

    static func read(_ path: String) throws(FileReadError) -> String {
        String(decoding: try FileContents.read(at: path, limit: limit), as: UTF8.self)
    }
}
