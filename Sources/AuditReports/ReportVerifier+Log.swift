import AuditLog

extension ReportVerifier {
    /// Proofs show each embedded event is in the log, not that none was left out; only the log can show that.
    ///
    /// Every embedded event must equal the log's row column by column: without the signer's key nothing else
    /// vouches for the embedded copies, and a report's verdicts are replayed from them.
    public static func checkComplete(_ inputs: ReportInputs, in store: any EventStore) throws(ReportError) {
        let logged: [LoggedEvent]
        do { logged = try store.events(EventFilter(site: inputs.site)) } catch { throw .log(error) }
        let expected = logged.filter { $0.seq <= inputs.checkpoint.size }
        var embedded: [Int64: LoggedEvent] = [:]
        for proven in inputs.events {
            guard embedded.updateValue(proven.event, forKey: proven.event.seq) == nil else {
                throw .rejected("the report holds event seq \(proven.event.seq) more than once")
            }
        }
        for event in expected {
            guard let claimed = embedded.removeValue(forKey: event.seq) else {
                throw .rejected("the report omits event seq \(event.seq) of site '\(inputs.site)'")
            }
            if let column = firstDifferingColumn(claimed, event) {
                throw .rejected("the report's event seq \(event.seq) differs from the log's row in its \(column)")
            }
        }
        if let extra = embedded.keys.min() {
            throw .rejected("the report's event seq \(extra) is not an event of site '\(inputs.site)' in this log")
        }
    }

    /// The first column, in FORMAT.md order, where an embedded event differs from the log's row; nil when none.
    static func firstDifferingColumn(_ claimed: LoggedEvent, _ row: LoggedEvent) -> String? {
        let columns: [(String, Bool)] = [
            ("event_id", claimed.eventID == row.eventID), ("site", claimed.site == row.site),
            ("stack", claimed.stack == row.stack), ("type", claimed.type == row.type),
            ("payload", claimed.payload == row.payload), ("observed_at", claimed.observedAt == row.observedAt),
            ("recorded_at", claimed.recordedAt == row.recordedAt), ("actor", claimed.actor == row.actor),
            ("prev_hash", claimed.prevHash == row.prevHash), ("hash", claimed.hash == row.hash),
        ]
        return columns.first { !$0.1 }?.0
    }
}
