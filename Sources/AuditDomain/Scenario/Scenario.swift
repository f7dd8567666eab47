import AuditLog

/// A generated run: the drafts to append, and for each rule the deviation breaks, the events it must cite.
public struct Scenario: Sendable {
    public var site: String
    public var deviation: Deviation?
    public var drafts: [EventDraft]
    /// Rule id to the event ids its failing finding must give as evidence.
    public var evidence: [String: [String]]
}
