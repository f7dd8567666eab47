import AuditCrypto
import GRDB
import GRDBSQLite

/// The mapping between `LoggedEvent` and a row of `events`, in column order.
enum EventRow {
    static let columns =
        "seq, event_id, site, stack, type, payload, observed_at, recorded_at, actor, prev_hash, hash"

    /// Binds straight onto GRDB's prepared statement: the batch path's cost is mostly argument boxing otherwise.
    /// The times come already rendered: the appender wrote them once to hash them.
    static func insert(
        _ event: LoggedEvent, observedAt: String, recordedAt: String, with statement: Statement, in db: Database
    ) throws {
        let raw = statement.sqliteStatement
        sqlite3_reset(raw)
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        sqlite3_bind_int64(raw, 1, event.seq)
        func bind(_ index: Int32, _ text: String?) {
            if let text { sqlite3_bind_text(raw, index, text, -1, transient) } else { sqlite3_bind_null(raw, index) }
        }
        bind(2, event.eventID)
        bind(3, event.site)
        bind(4, event.stack)
        bind(5, event.type)
        bind(6, event.payload)
        bind(7, observedAt)
        bind(8, recordedAt)
        bind(9, event.actor)
        bind(10, event.prevHash.hex)
        bind(11, event.hash.hex)
        let code = sqlite3_step(raw)
        sqlite3_reset(raw)
        guard code == SQLITE_DONE else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
    }

    /// Runs a SELECT of `columns` and hands each row over decoded; rows are read straight from SQLite's buffers.
    static func forEach(
        _ db: Database, sql: String, arguments: StatementArguments = [], _ body: (LoggedEvent) throws -> Bool
    ) throws {
        try forEach(db, try db.makeStatement(sql: sql), arguments: arguments, body)
    }

    /// Runs an already prepared SELECT of `columns`: the per-event paths keep theirs cached.
    static func forEach(
        _ db: Database, _ statement: Statement, arguments: StatementArguments = [], _ body: (LoggedEvent) throws -> Bool
    ) throws {
        statement.setUncheckedArguments(arguments)
        let raw = statement.sqliteStatement
        defer { sqlite3_reset(raw) }
        while try db.step(raw) {
            guard try body(try decode(raw)) else { return }
        }
    }

    static func fetchAll(_ db: Database, sql: String, arguments: StatementArguments = []) throws -> [LoggedEvent] {
        var events: [LoggedEvent] = []
        try forEach(db, sql: sql, arguments: arguments) { event in
            events.append(event)
            return true
        }
        return events
    }

    static func decode(_ statement: OpaquePointer) throws -> LoggedEvent {
        let seq = sqlite3_column_int64(statement, 0)
        func bytes(_ index: Int32) -> UnsafeBufferPointer<UInt8>? {
            guard let text = sqlite3_column_text(statement, index) else { return nil }
            return UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, index)))
        }
        func text(_ index: Int32) -> String? { bytes(index).map { String(decoding: $0, as: UTF8.self) } }
        func required(_ index: Int32, _ column: String) throws -> String {
            guard let value = text(index) else { throw AuditLogError.corrupt("\(column) is NULL at seq \(seq)") }
            return value
        }
        func timestamp(_ index: Int32, _ column: String) throws -> Timestamp {
            guard let raw = bytes(index), let value = Timestamp(rfc3339Bytes: raw) else {
                throw AuditLogError.corrupt(
                    "\(column) '\(text(index) ?? "NULL")' at seq \(seq) is not an RFC 3339 time")
            }
            return value
        }
        func digest(_ index: Int32, _ column: String) throws -> Digest {
            guard let raw = bytes(index), let value = Digest(hexBuffer: UnsafeRawBufferPointer(raw)) else {
                throw AuditLogError.corrupt(
                    "\(column) '\(text(index) ?? "NULL")' at seq \(seq) is not a lowercase SHA-256 hex digest")
            }
            return value
        }
        return LoggedEvent(
            seq: seq, eventID: try required(1, "event_id"), site: try required(2, "site"), stack: text(3),
            type: try required(4, "type"), payload: try required(5, "payload"),
            observedAt: try timestamp(6, "observed_at"), recordedAt: try timestamp(7, "recorded_at"),
            actor: try required(8, "actor"), prevHash: try digest(9, "prev_hash"), hash: try digest(10, "hash"))
    }
}
