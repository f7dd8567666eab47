import AuditLog

extension Finding {
    /// The form `audit check --format json` prints and report.json embeds.
    public var json: JSONValue {
        [
            "rule": .string(rule), "title": .string(title), "verdict": .string(verdict.rawValue),
            "message": .string(message), "evidence": .array(evidence.map(JSONValue.integer)),
        ]
    }
}
