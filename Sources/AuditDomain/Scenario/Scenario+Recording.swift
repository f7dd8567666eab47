import AuditLog

extension Scenario {
    /// Appends the run as it would be recorded live: each draft when it was observed, on `clock`, which must be
    /// the store's. A batch append records every draft at one time, and the pauses would rest on claimed times.
    public func record(into store: any EventStore, clock: ManualClock) throws(AuditLogError) {
        for draft in drafts {
            if let observed = draft.observedAt {
                clock.advance(milliseconds: observed.milliseconds(since: clock.now()))
            }
            _ = try store.append(draft)
        }
    }
}
