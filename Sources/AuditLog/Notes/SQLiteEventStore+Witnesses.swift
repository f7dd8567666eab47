import AuditCore
import AuditCrypto
import Foundation
import GRDB

/// A witness this log submits its checkpoints to (table `witness`, migration 0004).
public struct LogWitness: Sendable, Hashable {
    /// Its cosignature/v1 verifier key; the key name is the witness's name.
    public var key: NoteVerifierKey
    /// The tlog-witness base URL: `<url>/add-checkpoint` is posted to.
    public var url: String
    /// The tree size the witness holds for this log, nil until a cosignature or a 409 says.
    public var cosignedSize: Int64?

    public var name: String { key.name }

    public init(key: NoteVerifierKey, url: String, cosignedSize: Int64? = nil) {
        self.key = key
        self.url = url
        self.cosignedSize = cosignedSize
    }
}

/// A checkpoint a witness cosigned, with its verified cosignature (table `cosigned_checkpoint`).
public struct CosignedCheckpoint: Sendable, Hashable {
    public var witness: NoteVerifierKey
    public var size: Int64
    public var root: Digest
    /// Seconds since the Unix epoch, from the cosignature.
    public var cosignedAt: UInt64
    /// The checkpoint text, the log's signature and this witness's cosignature.
    public var note: SignedNote

    public init(witness: NoteVerifierKey, size: Int64, root: Digest, cosignedAt: UInt64, note: SignedNote) {
        self.witness = witness
        self.size = size
        self.root = root
        self.cosignedAt = cosignedAt
        self.note = note
    }
}

extension SQLiteEventStore {
    /// Adds a witness; refuses a key that is not a cosignature/v1 key or a name already configured.
    public func addWitness(_ witness: LogWitness) throws(AuditLogError) {
        guard witness.key.type == .cosignatureV1 else {
            throw .refused(
                PresentedFailure(.invalidInput, "a witness key is a cosignature/v1 key (type 04), not '\(witness.key)'")
            )
        }
        try Self.mapErrors {
            try dbQueue.write { db in
                if try Bool.fetchOne(db, sql: "SELECT 1 FROM witness WHERE name = ?", arguments: [witness.name]) != nil
                {
                    throw AuditLogError.refused(
                        PresentedFailure(
                            .refusingToOverwrite, "a witness named '\(witness.name)' is already configured"))
                }
                try db.execute(
                    sql: "INSERT INTO witness (name, vkey, url, added_at, cosigned_size) VALUES (?, ?, ?, ?, ?)",
                    arguments: [
                        witness.name, witness.key.description, witness.url,
                        clock.now().description, witness.cosignedSize,
                    ])
            }
        }
    }

    /// The configured witnesses, by name.
    public func witnesses() throws(AuditLogError) -> [LogWitness] {
        try Self.mapErrors {
            try dbQueue.read { db in
                try Row.fetchAll(db, sql: "SELECT vkey, url, cosigned_size FROM witness ORDER BY name").map { row in
                    LogWitness(key: try Self.storedKey(row[0]), url: row[1], cosignedSize: row[2])
                }
            }
        }
    }

    /// Removes the witness named `name`; its cosigned checkpoints are kept. Throws `.notFound` when unknown.
    public func removeWitness(named name: String) throws(AuditLogError) {
        try Self.mapErrors {
            try dbQueue.write { db in
                try db.execute(sql: "DELETE FROM witness WHERE name = ?", arguments: [name])
                guard db.changesCount == 1 else {
                    throw AuditLogError.refused(PresentedFailure(.notFound, "no witness named '\(name)'"))
                }
            }
        }
    }

    /// Records the size a witness says it holds (from a 409), so the next submission proves from there.
    public func setWitnessSize(named name: String, size: Int64) throws(AuditLogError) {
        try Self.mapErrors {
            try dbQueue.write { db in
                try db.execute(sql: "UPDATE witness SET cosigned_size = ? WHERE name = ?", arguments: [size, name])
            }
        }
    }

    /// Stores a verified cosigned checkpoint and moves the witness's size to it, in one transaction.
    public func recordCosigned(_ cosigned: CosignedCheckpoint) throws(AuditLogError) {
        try Self.mapErrors {
            try dbQueue.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO cosigned_checkpoint (witness_vkey, size, root, cosigned_at, note)
                        VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (witness_vkey, size) DO UPDATE SET cosigned_at = excluded.cosigned_at,
                            note = excluded.note WHERE excluded.root = root
                        """,
                    arguments: [
                        cosigned.witness.description, cosigned.size, cosigned.root.hex, Int64(cosigned.cosignedAt),
                        cosigned.note.serialized,
                    ])
                try db.execute(
                    sql: "UPDATE witness SET cosigned_size = ? WHERE vkey = ?",
                    arguments: [cosigned.size, cosigned.witness.description])
            }
        }
    }

    /// Every cosigned checkpoint stored, oldest first.
    public func cosignedCheckpoints() throws(AuditLogError) -> [CosignedCheckpoint] {
        try Self.mapErrors { try dbQueue.read(Self.fetchCosigned) }
    }

    /// The rows of `cosigned_checkpoint` by size then time, read inside a caller's transaction.
    static func fetchCosigned(_ db: Database) throws -> [CosignedCheckpoint] {
        try Row.fetchAll(
            db,
            sql:
                "SELECT witness_vkey, size, root, cosigned_at, note FROM cosigned_checkpoint ORDER BY size, cosigned_at"
        ).map { row in
            guard let root = Digest(hex: row[2] as String) else {
                throw AuditLogError.corrupt("cosigned_checkpoint.root is not a SHA-256 hex digest")
            }
            let note: SignedNote
            do { note = try SignedNote(parsing: Array((row[4] as String).utf8)) } catch {
                throw AuditLogError.corrupt("cosigned_checkpoint.note: \(error)")
            }
            return CosignedCheckpoint(
                witness: try storedKey(row[0]), size: row[1], root: root, cosignedAt: UInt64(row[3] as Int64),
                note: note)
        }
    }

    /// The current checkpoint and a consistency proof to it from each of `sizes`, read in one transaction.
    ///
    /// A size above the current one gets no proof (nil): the witness holds a tree this log does not extend.
    public func consistencyProofs(from sizes: [Int64]) throws(AuditLogError) -> (
        checkpoint: Checkpoint, proofs: [Int64: [Digest]?]
    ) {
        try Self.mapErrors {
            try dbQueue.read { db in
                var hashes: [Digest] = []
                let head = try LeafReader(db: db).read(upTo: nil, into: &hashes)
                var proofs: [Int64: [Digest]?] = [:]
                for size in Set(sizes) {
                    proofs[size] =
                        size <= hashes.count
                        ? try MerkleTree.consistencyProof(
                            oldSize: Int(size), newSize: hashes.count, leafHashes: hashes) : nil
                }
                let root = MerkleTree.root(leafHashes: hashes)
                return (
                    Checkpoint(
                        logID: logID, genesis: genesis, size: Int64(hashes.count), head: head ?? genesis, root: root),
                    proofs
                )
            }
        }
    }

    private static func storedKey(_ text: String) throws -> NoteVerifierKey {
        do { return try NoteVerifierKey(parsing: text) } catch {
            throw AuditLogError.corrupt("witness.vkey does not parse: \(error)")
        }
    }
}
