import AuditCrypto
import Foundation
import GRDB

/// Files that events refer to by SHA-256 (photos), stored as copies inside the log.
///
/// The chain commits to a file through the hash an event's payload names; the store only keeps the bytes, so
/// a file is addressed by its content and can never be replaced by other bytes under the same name.
extension SQLiteEventStore {
    /// The largest file the store keeps: a phone photo is 2 to 20 MB; the bound keeps one row under SQLite's limit.
    public static let maximumEvidenceSize = 64 << 20

    /// Appends `drafts` with copies of the files they name: the files are stored only if the guard admits the
    /// drafts, in the same transaction, so a refused event leaves no file behind.
    public func append(
        _ drafts: [EventDraft], attaching evidence: [[UInt8]], guard guardCheck: AppendGuard?
    ) throws(AuditLogError) -> [AppendResult] {
        for bytes in evidence where bytes.count > Self.maximumEvidenceSize {
            throw .evidenceTooLarge(size: bytes.count, limit: Self.maximumEvidenceSize)
        }
        return try append(drafts, evidence: evidence, guard: guardCheck)
    }

    /// The stored bytes for `sha256`, checked against it, or nil when the log holds no such file.
    public func evidence(_ sha256: Digest) throws(AuditLogError) -> [UInt8]? {
        let bytes: [UInt8]? = try Self.mapErrors {
            try dbQueue.read { db in
                try Data.fetchOne(db, sql: "SELECT content FROM evidence WHERE sha256 = ?", arguments: [sha256.hex])
                    .map { Array($0) }
            }
        }
        if let bytes, SHA256.hash(bytes) != sha256 {
            throw .corrupt("the evidence file \(sha256.hex) no longer hashes to its name")
        }
        return bytes
    }

    /// Content-addressed: storing the same bytes again stores nothing new.
    static func storeEvidence(_ bytes: [UInt8], in db: Database) throws {
        try db.execute(
            sql: "INSERT INTO evidence (sha256, size, content) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
            arguments: [SHA256.hash(bytes).hex, bytes.count, Data(bytes)])
    }
}
