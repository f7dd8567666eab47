import AuditCrypto
import GRDB
import GRDBSQLite

extension SQLiteEventStore {
    /// The current size, head and Merkle root, read in one transaction.
    public func checkpoint() throws(AuditLogError) -> Checkpoint {
        try Self.mapErrors {
            try dbQueue.read { db in
                try prove([], LeafReader(db: db)).checkpoint
            }
        }
    }

    /// A checkpoint and the inclusion proofs of `seqs` against it, from one read transaction so they agree.
    public func inclusionProofs(forSeqs seqs: [Int64]) throws(AuditLogError) -> (
        checkpoint: Checkpoint, proofs: [[Digest]]
    ) {
        try Self.mapErrors {
            try dbQueue.read { db in
                try prove(seqs, LeafReader(db: db))
            }
        }
    }

    /// The events `filter` selects with their proofs, a checkpoint and a full chain walk, all in one transaction.
    public func checkpointedEvents(_ filter: EventFilter) throws(AuditLogError) -> CheckpointedEvents {
        try Self.mapErrors {
            try dbQueue.read { db in
                let (chain, events) = try walkAndSelect(db, filter)
                let (checkpoint, proofs) = try prove(events.map(\.seq), LeafReader(db: db))
                return CheckpointedEvents(checkpoint: checkpoint, chain: chain, events: events, proofs: proofs)
            }
        }
    }

    /// The whole chain walked and the events `filter` selects, inside the caller's read transaction.
    func walkAndSelect(_ db: Database, _ filter: EventFilter) throws -> (ChainVerification, [LoggedEvent]) {
        let chain = try ChainWalker(db: db, logID: logID).walk()
        let (sql, arguments) = Self.selection(filter)
        return (chain, try EventRow.fetchAll(db, sql: sql, arguments: arguments))
    }

    /// Reads every leaf, then proves `seqs`; the leaves are reduced in place, so memory stays 32 bytes per event.
    private func prove(_ seqs: [Int64], _ reader: LeafReader) throws -> (checkpoint: Checkpoint, proofs: [[Digest]]) {
        var hashes: [Digest] = []
        let head = try reader.read(upTo: nil, into: &hashes)
        let size = hashes.count
        let indices = try seqs.map { seq in
            guard seq >= 1, seq <= size else {
                throw AuditLogError.corrupt("seq \(seq) is outside the \(size) events of the checkpoint")
            }
            return Int(seq - 1)
        }
        let (root, proofs) = try MerkleTree.rootAndInclusionProofs(indices: indices, leafHashes: consume hashes)
        return (
            Checkpoint(logID: logID, genesis: genesis, size: Int64(size), head: head ?? genesis, root: root), proofs
        )
    }

    static func selection(_ filter: EventFilter) -> (String, StatementArguments) {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let site = filter.site {
            conditions.append("site = ?")
            arguments += [site]
        }
        if let type = filter.type {
            conditions.append("type = ?")
            arguments += [type]
        }
        if let after = filter.afterSeq {
            conditions.append("seq > ?")
            arguments += [after]
        }
        var sql = "SELECT \(EventRow.columns) FROM events"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY seq"
        if let limit = filter.limit {
            sql += " LIMIT ?"
            arguments += [limit]
        }
        return (sql, arguments)
    }
}

/// Streams the stored `hash` column in seq order into Merkle leaf hashes: 32 bytes per event, nothing more.
struct LeafReader {
    let db: Database

    func lastSeq() throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM events") ?? 0
    }

    /// Fills `hashes` with the leaves of seq 1...limit (all when nil) and returns the last stored hash read.
    /// A gap throws when `strict`, else ends the leaves there.
    func read(upTo limit: Int64?, strict: Bool = true, into hashes: inout [Digest]) throws -> Digest? {
        let statement = try db.makeStatement(sql: "SELECT seq, hash FROM events WHERE seq <= ? ORDER BY seq")
        statement.setUncheckedArguments([limit ?? Int64.max])
        let sqlite = statement.sqliteStatement
        defer { sqlite3_reset(sqlite) }
        let hasher = SHA256Hasher()
        // Sized exactly up front: growing by doubling would briefly hold one and a half copies.
        hashes.reserveCapacity(Int(max(0, min(limit ?? Int64.max, try lastSeq()))))
        var head: Digest?
        while try db.step(sqlite) {
            let seq = sqlite3_column_int64(sqlite, 0)
            guard seq == Int64(hashes.count) + 1 else {
                if strict { throw AuditLogError.corrupt("seq \(hashes.count + 1) is missing") }
                break
            }
            guard let text = sqlite3_column_text(sqlite, 1),
                let digest = Digest(
                    hexBytes: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(sqlite, 1))))
            else {
                throw AuditLogError.corrupt("hash of seq \(seq) is not a lowercase SHA-256 hex digest")
            }
            hashes.append(MerkleTree.leafHash(of: digest, using: hasher))
            head = digest
        }
        return head
    }
}
