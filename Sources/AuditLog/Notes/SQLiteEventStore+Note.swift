import AuditCrypto

extension SQLiteEventStore {
    /// This log's origin line: unique per log because it holds the log id.
    public var origin: String { TlogCheckpoint.origin(logID: logID) }

    /// The log's current checkpoint as a signed note, signed under the log's origin with `key`.
    public func signedCheckpoint(key: Ed25519PrivateKey) throws -> SignedNote {
        let checkpoint = try checkpoint()
        var note = SignedNote(text: TlogCheckpoint(origin: origin, size: checkpoint.size, root: checkpoint.root).text)
        note.sign(with: try NoteSigner(name: origin, privateKey: key))
        return note
    }
}
