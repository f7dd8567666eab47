import GRDB

/// The mapping between `LoggedEvent` and a row of `events`, in column order.
enum EventRow {
    static let columns =
        "seq, event_id, site, stack, type, payload, observed_at, recorded_at, actor, prev_hash, hash"

    static func arguments(_ event: LoggedEvent) -> StatementArguments {
        [
            event.seq, event.eventID, event.site, event.stack, event.type, event.payload,
            event.observedAt.rfc3339, event.recordedAt.rfc3339, event.actor, event.prevHash.hex, event.hash.hex,
        ]
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
