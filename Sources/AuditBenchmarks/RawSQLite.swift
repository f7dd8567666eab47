import AuditCrypto
import AuditLog
import Foundation
import GRDBSQLite

/// The baseline: plain sqlite3 C calls with no hashing, no JSON, no checks.
final class RawSQLite {
    let handle: OpaquePointer

    init(path: String, synchronous: String) throws {
        var db: OpaquePointer?
        guard sqlite3_open(path, &db) == SQLITE_OK, let db else { throw BenchError("cannot open \(path)") }
        handle = db
        // The same settings as the audit log, read from its defaults so they cannot drift apart: the comparison
        // measures only our code.
        let cache = SQLiteEventStore.Options().cacheKiB
        try execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = \(synchronous); PRAGMA cache_size = -\(cache);")
    }

    deinit { sqlite3_close(handle) }

    func execute(_ sql: String) throws {
        guard sqlite3_exec(handle, sql, nil, nil, nil) == SQLITE_OK else {
            throw BenchError(String(cString: sqlite3_errmsg(handle)))
        }
    }

    /// Renders every column to text before timing starts, so the baseline pays only for SQLite.
    static func prepare(_ events: [LoggedEvent]) -> [(Int64, [String?])] {
        events.map { event in
            (
                event.seq,
                [
                    event.eventID, event.site, event.stack, event.type, event.payload, event.observedAt.rfc3339,
                    event.recordedAt.rfc3339, event.actor, event.prevHash.hex, event.hash.hex,
                ]
            )
        }
    }

    /// A prepared statement the caller finalizes.
    func prepare(_ sql: String) throws -> OpaquePointer {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw BenchError(String(cString: sqlite3_errmsg(handle)))
        }
        return statement
    }

    /// Reads the stored hash column in seq order and does nothing else: the floor for any Merkle computation.
    func readHashes() throws -> Int {
        let statement = try prepare("SELECT hash FROM events ORDER BY seq")
        defer { sqlite3_finalize(statement) }
        var bytes = 0
        while sqlite3_step(statement) == SQLITE_ROW { bytes += Int(sqlite3_column_bytes(statement, 0)) }
        return bytes
    }

    /// Every row's chain message (FORMAT.md §2) laid end to end: the exact bytes verify hashes.
    func chainMessages() throws -> (bytes: [UInt8], ranges: [Range<Int>]) {
        let sql =
            "SELECT seq, event_id, site, stack, type, payload, observed_at, recorded_at, actor, prev_hash FROM events ORDER BY seq"
        let statement = try prepare(sql)
        defer { sqlite3_finalize(statement) }
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        while sqlite3_step(statement) == SQLITE_ROW {
            let start = bytes.count
            let prev = String(cString: sqlite3_column_text(statement, 9))
            bytes += Hex.decode(prev) ?? []
            let seq = UInt64(sqlite3_column_int64(statement, 0))
            for shift in stride(from: 56, through: 0, by: -8) {
                bytes.append(UInt8(truncatingIfNeeded: seq >> UInt64(shift)))
            }
            for column in Int32(1)...8 {
                guard let text = sqlite3_column_text(statement, column) else {
                    bytes.append(0)
                    continue
                }
                let count = Int(sqlite3_column_bytes(statement, column))
                bytes.append(1)
                bytes += [
                    UInt8(count >> 24 & 0xFF), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF),
                ]
                bytes += UnsafeBufferPointer(start: text, count: count)
            }
            ranges.append(start..<bytes.count)
        }
        return (bytes, ranges)
    }

    /// Inserts rows with a prepared statement, one transaction per `batch` rows.
    func insert(_ events: [(Int64, [String?])], batch: Int) throws {
        let sql =
            "INSERT INTO events (seq, event_id, site, stack, type, payload, observed_at, recorded_at, actor, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
        let statement = try prepare(sql)
        defer { sqlite3_finalize(statement) }
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        var index = 0
        while index < events.count {
            try execute("BEGIN IMMEDIATE")
            for (seq, texts) in events[index..<min(index + batch, events.count)] {
                sqlite3_bind_int64(statement, 1, seq)
                for (offset, text) in texts.enumerated() {
                    if let text {
                        sqlite3_bind_text(statement, Int32(offset + 2), text, -1, transient)
                    } else {
                        sqlite3_bind_null(statement, Int32(offset + 2))
                    }
                }
                guard sqlite3_step(statement) == SQLITE_DONE else {
                    throw BenchError(String(cString: sqlite3_errmsg(handle)))
                }
                sqlite3_reset(statement)
            }
            try execute("COMMIT")
            index += batch
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
