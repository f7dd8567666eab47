import AuditLog

extension Scenario {
    /// The run as `audit append --jsonl` input: one canonical JSON object per line, every key given.
    public var jsonLines: String {
        drafts.map { draft in
            let line: JSONValue = [
                "event_id": .string(draft.eventID), "site": .string(draft.site),
                "stack": draft.stack.map(JSONValue.string) ?? .null, "type": .string(draft.type), "data": draft.data,
                "observed_at": draft.observedAt.map { .string($0.rfc3339) } ?? .null, "actor": .string(draft.actor),
            ]
            return line.canonicalText + "\n"
        }.joined()
    }
}
