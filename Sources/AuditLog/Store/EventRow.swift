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

    static func decode(_ row: Row) throws -> LoggedEvent {
        func timestamp(_ index: Int, _ column: String) throws -> Timestamp {
            let text: String = row[index]
            guard let value = Timestamp(rfc3339: text) else {
                throw AuditLogError.corrupt("\(column) '\(text)' at seq \(row[0] as Int64) is not an RFC 3339 time")
            }
            return value
        }
        return LoggedEvent(
            seq: row[0], eventID: row[1], site: row[2], stack: row[3], type: row[4], payload: row[5],
            observedAt: try timestamp(6, "observed_at"), recordedAt: try timestamp(7, "recorded_at"),
            actor: row[8], prevHash: try SQLiteEventStore.storedDigest(row[9], column: "prev_hash"),
            hash: try SQLiteEventStore.storedDigest(row[10], column: "hash"))
    }
}
