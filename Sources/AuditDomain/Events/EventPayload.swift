import AuditLog

/// What every payload struct can do: be read from a logged payload and written in the current schema.
protocol EventPayload: Sendable, Hashable {
    init(reading payload: PayloadReader) throws(DomainError)
    /// The payload's members without `v`, which the encoder adds.
    var fields: [String: JSONValue] { get }
}
