import AuditDomain
import AuditLog
import AuditTestSupport

/// Appends drafts to a fresh in-memory log, as the real store would seal them.
func logged(_ drafts: [EventDraft]) throws -> [LoggedEvent] {
    let store = InMemoryEventStore(
        logID: "test-log", clock: ManualClock(Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)))
    _ = try store.append(drafts)
    return try store.events(EventFilter())
}

/// The log seqs of the given event ids, sorted.
func seqs(of eventIDs: [String], in events: [LoggedEvent]) -> [Int64] {
    let byID = Dictionary(uniqueKeysWithValues: events.map { ($0.eventID, $0.seq) })
    return eventIDs.compactMap { byID[$0] }.sorted()
}

/// One event logged on its own, for decoding tests.
func loggedEvent(type: String, stack: String? = "S1", data: JSONValue) throws -> LoggedEvent {
    try logged([EventDraft(site: "site-1", stack: stack, type: type, data: data, actor: "tester")])[0]
}
