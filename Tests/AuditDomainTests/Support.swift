import AuditDomain
import AuditLog
import AuditTestSupport

/// Appends drafts to a fresh in-memory log as a live run would: each one recorded when it was observed, so
/// observed and recorded times agree (a draft without an observed time is recorded at the clock's last time).
func logged(_ drafts: [EventDraft]) throws -> [LoggedEvent] {
    try liveStore(drafts).events(EventFilter())
}

/// The store `logged` reads from, for tests that query it.
func liveStore(_ drafts: [EventDraft]) throws -> InMemoryEventStore {
    let clock = ManualClock(Timestamp(millisecondsSinceEpoch: 1_700_000_000_000))
    let store = InMemoryEventStore(logID: "test-log", clock: clock)
    for draft in drafts {
        if let observed = draft.observedAt { clock.advance(milliseconds: observed.milliseconds(since: clock.now())) }
        _ = try store.append(draft)
    }
    return store
}

/// Appends drafts in one batch, all recorded at one time long after they were observed, as an import is.
func importedLater(_ drafts: [EventDraft]) throws -> [LoggedEvent] {
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
