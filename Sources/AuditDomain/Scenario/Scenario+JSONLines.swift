import AuditLog

extension Scenario {
    /// The run as `audit append --jsonl` input: one canonical JSON object per line, every key given.
    public var jsonLines: String { drafts.map { $0.jsonLine + "\n" }.joined() }
}

extension EventDraft {
    /// The draft as one `audit append --jsonl` line (without its newline): canonical JSON, every key given.
    public var jsonLine: String {
        let line: JSONValue = [
            "event_id": .string(eventID), "site": .string(site), "stack": stack.map(JSONValue.string) ?? .null,
            "type": .string(type), "data": data, "observed_at": observedAt.map { .string($0.rfc3339) } ?? .null,
            "actor": .string(actor),
        ]
        return line.canonicalText
    }
}
