import AuditCrypto
import AuditLog
import Foundation

/// The log's checkpoint and keys as C2SP notes, for `audit checkpoint` and `audit key show`.
public enum CheckpointNotes {
    /// The current checkpoint of the log at `logPath`, signed with the key at `keyPath` under the log's origin.
    public static func current(logPath: String, keyPath: String) throws -> SignedNote {
        let key = try KeyFiles.loadPrivateKey(at: URL(fileURLWithPath: keyPath))
        return try SQLiteEventStore.openReadOnly(at: logPath).signedCheckpoint(key: key)
    }

    /// The verifier key string of the key at `keyPath` under `origin` (default: the origin of the log at `logPath`).
    public static func verifierKey(keyPath: String, origin: String?, logPath: String) throws -> (
        keyID: String, verifierKey: NoteVerifierKey
    ) {
        let key = try KeyFiles.loadPrivateKey(at: URL(fileURLWithPath: keyPath))
        let name = try origin ?? SQLiteEventStore.openReadOnly(at: logPath).origin
        return (key.keyID, try NoteVerifierKey(name: name, publicKey: key.publicKey))
    }
}
