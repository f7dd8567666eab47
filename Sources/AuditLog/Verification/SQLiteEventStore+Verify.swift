import AuditCrypto
import GRDB
import GRDBSQLite

extension SQLiteEventStore {
    /// Walks the whole chain in one read transaction with constant memory, stopping at the first break.
    ///
    /// With `checkingIntegrity`, SQLite's integrity check of the events table and its indexes runs in the same
    /// transaction: a damaged index can let a duplicate event id in, and the chain walk never reads an index.
    public func verify(checkingIntegrity: Bool = false) throws(AuditLogError) -> ChainVerification {
        try Self.mapErrors {
            try dbQueue.writeWithoutTransaction { db in
                var result: ChainVerification?
                // A sequential scan gains nothing from a large cache; keep verify's memory flat.
                let cache = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2000
                try db.execute(sql: "PRAGMA cache_size = -2000")
                defer { try? db.execute(sql: "PRAGMA cache_size = \(cache)") }
                try db.inTransaction(.deferred) {
                    // The walk's snapshot begins here; the second connection's, at or after it.
                    _ = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM log_meta")
                    let side = checkingIntegrity ? IntegrityScan(beside: dbQueue) : nil
                    let walked: (ChainVerification, TableKeys?)
                    do {
                        walked = try ChainWalker(db: db, logID: logID).walk(collectingKeys: checkingIntegrity)
                    } catch {
                        side?.cancel()
                        throw error
                    }
                    result = walked.0
                    if let side {
                        if walked.1 == nil { side.cancel() }
                        result?.damage = try Self.integrityProblems(
                            db, tableKeys: walked.1, beside: walked.1 == nil ? nil : side.outcome())
                    }
                    return .commit
                }
                return result!
            }
        }
    }
}

extension SQLiteEventStore {
    /// The tables whose damage changes what the log says; the evidence and witness tables are left out, so a
    /// log holding large photos does not pay for them (their rows are checked by digest when read).
    static let checkedTables = ["events", "log_meta"]

    /// At most this many problems are read: one is enough to fail, a few help to see how far it goes.
    static let reportedProblems = 10

    /// The damage SQLite's checks find in the checked tables and their indexes; empty when there is none.
    ///
    /// Fast path, with `tableKeys` from an intact walk: `PRAGMA quick_check` (every page and b-tree) and one scan
    /// of each index of `events` compared with the walk's digest of the table's keys. Only when either finds
    /// something, or there are no digests, does the full `PRAGMA integrity_check` run, for SQLite's own lines
    /// (e.g. a flipped bit in the `event_id` unique index: "row 3 missing from index ...").
    ///
    /// `beside` is what the second connection saw (`IntegrityScan`); when it proves this snapshot sound, nothing
    /// is read again here.
    static func integrityProblems(
        _ db: Database, tableKeys: TableKeys?, beside: Result<IntegrityScan.Outcome, any Error>? = nil
    ) throws -> [String] {
        if let tableKeys {
            if case .success(let outcome) = beside, outcome.quickCheckPassed, outcome.indexKeys == tableKeys,
                try outcome.shape == IntegrityScan.shape(db)
            {
                return []
            }
            if try quickCheckPasses(db), try indexKeys(db) == tableKeys { return [] }
        }
        var problems: [String] = []
        for table in checkedTables {
            let rows = try String.fetchAll(db, sql: "PRAGMA integrity_check(\(table))")
            problems += rows.filter { $0 != "ok" }.prefix(reportedProblems - problems.count).map(describe)
            if problems.count >= reportedProblems { break }
        }
        // The digests differ where SQLite's check sees nothing: say so rather than call the log sound.
        if problems.isEmpty, tableKeys != nil {
            problems.append(
                "an index of events does not hold exactly the table's rows "
                    + "(sqlite_autoindex_events_1 or events_by_site)")
        }
        return problems
    }

    /// Whether `PRAGMA quick_check` (every page and b-tree) finds the checked tables sound; `beforeEach` runs
    /// before each table's check and may throw to stop.
    static func quickCheckPasses(_ db: Database, beforeEach: () throws -> Void = {}) throws -> Bool {
        for table in checkedTables {
            try beforeEach()
            guard try String.fetchAll(db, sql: "PRAGMA quick_check(\(table))") == ["ok"] else { return false }
        }
        return true
    }

    /// The digests of what each index of `events` holds, read by a scan of the index alone (both cover their keys).
    static func indexKeys(_ db: Database) throws -> TableKeys {
        var keys = TableKeys()
        for (sql, isEventID) in [
            ("SELECT event_id, seq FROM events INDEXED BY sqlite_autoindex_events_1 ORDER BY event_id", true),
            ("SELECT site, seq FROM events INDEXED BY events_by_site ORDER BY site, seq", false),
        ] {
            let statement = try db.makeStatement(sql: sql)
            let sqlite = statement.sqliteStatement
            defer { sqlite3_reset(sqlite) }
            while try db.step(sqlite) {
                let seq = sqlite3_column_int64(sqlite, 1)
                let text = sqlite3_column_text(sqlite, 0)
                let count = sqlite3_column_bytes(sqlite, 0)
                if isEventID {
                    keys.eventID.add(text, count: count, seq: seq)
                } else {
                    keys.site.add(text, count: count, seq: seq)
                }
            }
        }
        return keys
    }

    /// SQLite's line, with the automatic index's purpose named: its generated name says nothing to a reader.
    static func describe(_ problem: String) -> String {
        problem.replacingOccurrences(
            of: "sqlite_autoindex_events_1", with: "sqlite_autoindex_events_1 (the event_id unique index)")
    }
}

/// The verify loop. It reads columns straight from SQLite's buffers: no String per column, no allocation per row.
struct ChainWalker {
    let db: Database
    let logID: String
    static let triggers = [
        "events_seq_gapless", "events_no_update", "events_no_delete", "log_meta_no_update", "log_meta_no_delete",
    ]

    func walk() throws -> ChainVerification { try walk(collectingKeys: false).0 }

    /// The walk, with the digest of the table's indexed keys when asked for and the fast walk found the chain intact.
    func walk(collectingKeys: Bool) throws -> (ChainVerification, TableKeys?) {
        let warnings = try Self.triggers.filter { name in
            try !Bool.fetchOne(
                db, sql: "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                arguments: [name])!
        }.map { "append-only trigger \($0) is missing" }
        func result(_ size: Int64, _ head: Digest, _ firstBreak: ChainBreak?) -> ChainVerification {
            ChainVerification(logID: logID, size: size, head: head, firstBreak: firstBreak, warnings: warnings)
        }

        let genesis = ChainHash.genesis(logID: logID)
        let storedGenesis = try String.fetchOne(db, sql: "SELECT genesis_hash FROM log_meta")
        guard storedGenesis == genesis.hex else {
            return (
                result(
                    0, genesis,
                    ChainBreak(
                        seq: 1, kind: .genesisMismatch,
                        detail: "log_meta.genesis_hash is not the genesis value of log id \(logID)")), nil
            )
        }

        switch try walkPipelined(genesis: genesis, collectingKeys: collectingKeys) {
        case .intact(let size, let head, let keys):
            return (result(size, head, nil), collectingKeys ? keys : nil)
        case .suspect(let seq, let expectedPrev):
            let (size, head, firstBreak) = try walkSequentially(from: seq, expectedPrev: expectedPrev)
            return (result(size, head, firstBreak), nil)
        }
    }

    /// The plain one-row-at-a-time walk that names the first break; used from a known-good point.
    func walkSequentially(from start: Int64, expectedPrev startPrev: Digest) throws -> (Int64, Digest, ChainBreak?) {
        let statement = try db.makeStatement(sql: "SELECT \(EventRow.columns) FROM events WHERE seq >= ? ORDER BY seq")
        // From the start of the log, rows with seq 0 or below must be seen too: they are forgeries.
        statement.setUncheckedArguments([start == 1 ? Int64.min : start])
        let sqlite = statement.sqliteStatement
        defer { sqlite3_reset(sqlite) }
        var message = [UInt8]()
        message.reserveCapacity(4096)
        let hasher = SHA256Hasher()
        var expectedSeq = start
        var expectedPrev = startPrev
        while try db.step(sqlite) {
            let seq = sqlite3_column_int64(sqlite, 0)
            guard seq >= 1 else {
                return (
                    0, expectedPrev,
                    ChainBreak(
                        seq: 1, kind: .outOfOrder, detail: "a row with seq \(seq) stands before seq 1")
                )
            }
            guard seq == expectedSeq else {
                return (
                    expectedSeq - 1, expectedPrev,
                    ChainBreak(
                        seq: expectedSeq, kind: .rowMissing,
                        detail: "seq \(expectedSeq - 1) is followed by seq \(seq)")
                )
            }
            guard Self.column(sqlite, 9, matches: expectedPrev) else {
                return (expectedSeq - 1, expectedPrev, try diagnoseLink(seq: seq))
            }
            message.removeAll(keepingCapacity: true)
            expectedPrev.withUnsafeBytes { message.append(contentsOf: $0) }
            ChainHash.appendUInt64(UInt64(bitPattern: seq), to: &message)
            for column in Int32(1)...8 { Self.appendField(sqlite, column, to: &message) }
            let computed = hasher.hash(message)
            guard Self.column(sqlite, 10, matches: computed) else {
                return (expectedSeq - 1, expectedPrev, try diagnoseContent(seq: seq, computed: computed))
            }
            if let (field, reason) = RowForm.problem(sqlite) {
                return (
                    expectedSeq - 1, expectedPrev,
                    ChainBreak(seq: seq, kind: .malformedRow, detail: "\(field) \(reason)")
                )
            }
            expectedPrev = computed
            expectedSeq += 1
        }
        return (expectedSeq - 1, expectedPrev, nil)
    }

    static func column(_ statement: OpaquePointer, _ index: Int32, matches digest: Digest) -> Bool {
        guard sqlite3_column_type(statement, index) == SQLITE_TEXT, let text = sqlite3_column_text(statement, index)
        else { return false }
        return digest.matchesHex(
            UnsafeRawBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, index))))
    }

    /// The FORMAT.md field encoding, fed from SQLite's own buffer, its five header bytes appended at once: this
    /// runs for every column of every row, and a byte-at-a-time append checks the array's uniqueness and capacity
    /// per byte.
    @inline(__always)
    static func appendField(_ statement: OpaquePointer, _ index: Int32, to message: inout [UInt8]) {
        // sqlite3_column_text is NULL exactly for SQL NULL (an empty text is a non-NULL pointer).
        guard let text = sqlite3_column_text(statement, index) else {
            message.append(0x00)
            return
        }
        let count = Int(sqlite3_column_bytes(statement, index))
        // 0x01, then the length as four bytes big-endian, in the first five bytes of one word.
        let header = (UInt64(0x01) << 56 | UInt64(UInt32(truncatingIfNeeded: count)) << 24).bigEndian
        withUnsafeBytes(of: header) { message.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[0..<5])) }
        message.append(contentsOf: UnsafeBufferPointer(start: text, count: count))
    }

    /// Row `seq` does not link to the row before it: says which edit explains that.
    func diagnoseLink(seq: Int64) throws -> ChainBreak {
        let row = try Row.fetchOne(db, sql: "SELECT prev_hash, hash FROM events WHERE seq = ?", arguments: [seq])!
        let storedPrev: String? = row[0]
        if seq == 1 {
            return ChainBreak(
                seq: 1, kind: .genesisMismatch,
                detail: "prev_hash of seq 1 is not the genesis value of log id \(logID)")
        }
        if let storedPrev,
            let later = try Int64.fetchOne(
                db, sql: "SELECT seq FROM events WHERE hash = ? AND seq > ? ORDER BY seq LIMIT 1",
                arguments: [storedPrev, seq])
        {
            return ChainBreak(
                seq: seq, kind: .outOfOrder, detail: "seq \(seq) links to the row now stored as seq \(later)")
        }
        if let storedPrev, let prev = Digest(hex: storedPrev), try recompute(seq: seq, prev: prev)?.hex == row[1] {
            return ChainBreak(
                seq: seq - 1, kind: .contentChanged,
                detail: "seq \(seq - 1) was rewritten and its hash recomputed; seq \(seq) still links to the original")
        }
        return ChainBreak(
            seq: seq, kind: .hashAltered, detail: "prev_hash does not match the hash of seq \(seq - 1)")
    }

    /// Row `seq` does not hash to its stored hash: content edited, or the hash column itself.
    func diagnoseContent(seq: Int64, computed: Digest) throws -> ChainBreak {
        let nextPrev = try String.fetchOne(
            db, sql: "SELECT prev_hash FROM events WHERE seq = ?", arguments: [seq + 1])
        if nextPrev == computed.hex {
            return ChainBreak(
                seq: seq, kind: .hashAltered,
                detail: "stored hash differs, but the content still hashes to what seq \(seq + 1) links to")
        }
        let detail =
            nextPrev == nil
            ? "the last row does not hash to its stored hash (content or hash column edited)"
            : "the row no longer hashes to its stored hash"
        return ChainBreak(seq: seq, kind: .contentChanged, detail: detail)
    }

    func recompute(seq: Int64, prev: Digest) throws -> Digest? {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT \(EventRow.columns) FROM events WHERE seq = ?", arguments: [seq])
        else { return nil }
        let observedAt: String = row[6]
        let recordedAt: String = row[7]
        return ChainHash.hash(
            prevHash: prev, seq: seq, eventID: row[1], site: row[2], stack: row[3], type: row[4], payload: row[5],
            observedAt: observedAt, recordedAt: recordedAt, actor: row[8])
    }
}
