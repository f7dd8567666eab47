import AuditLog

/// A value with the event that established it, so every derived fact can cite its evidence.
public struct Observed<Value: Sendable & Hashable>: Sendable, Hashable {
    public var value: Value
    public var seq: Int64
    /// The event's observed_at: when it happened on site.
    public var at: Timestamp
    /// When the log recorded it, where the fold needs it: an observed time that strays far from it is a claim.
    public var recordedAt: Timestamp?

    public init(_ value: Value, seq: Int64, at: Timestamp, recordedAt: Timestamp? = nil) {
        self.value = value
        self.seq = seq
        self.at = at
        self.recordedAt = recordedAt
    }
}

extension Observed: Codable where Value: Codable {}
