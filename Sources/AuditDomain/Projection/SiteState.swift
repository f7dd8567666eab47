import AuditLog

/// A cable change with the stacks that were not observed off at that moment.
public struct CableCheck: Sendable, Hashable, Codable {
    public var seq: Int64
    public var edge: CableEdge
    public var state: CableState
    /// Each stack not known to be off: its latest power observation (`on`), or nil if never observed.
    public var notOff: [StackPower]
}

public struct StackPower: Sendable, Hashable, Codable {
    public var stack: String
    public var power: Observed<PowerState>?
}

/// A correction as a report lists it.
public struct Correction: Sendable, Hashable, Codable {
    /// The correcting event.
    public var seq: Int64
    /// The event it supersedes.
    public var corrects: Int64
    public var type: EventType
    public var stack: String?
    /// The payload as it stood before this correction (the original, or an earlier correction's).
    public var recorded: JSONValue
    public var corrected: JSONValue
    public var reason: String
    public var actor: String?
    public var at: Timestamp
    public var recordedAt: Timestamp?
}

/// An event logged after the procedure completed: the truth may come late, but a report must say so.
public struct LateEntry: Sendable, Hashable, Codable {
    public var seq: Int64
    public var type: EventType
    public var stack: String?
    /// The seq it corrects, for a late correction.
    public var corrects: Int64?
}

/// The derived state of one site: the result of folding its events, nothing else.
public struct SiteState: Sendable, Hashable, Codable {
    public var site: String
    public var model: DeviceModel?
    public var registeredSeq: Int64?
    public var phase: SitePhase = .notStarted
    public var procedure: Observed<ProcedureStarted>?
    /// Registered stacks by chain order (master first), then unregistered ones as first seen.
    public var stacks: [StackState] = []
    /// Cables plugged now, each with the seq that last showed it plugged.
    public var links: [CableEdge: Int64] = [:]
    /// Cables seen plugged before the first unplug: the topology to restore.
    public var originalLinks: [CableEdge: Int64] = [:]
    public var unplugs: [CableCheck] = []
    /// Cables plugged after the first unplug.
    public var replugs: [CableCheck] = []
    /// The first observation that changed a stack's DIP bank.
    public var firstDIPChange: Int64?
    public var stepsCompleted: [Observed<String>] = []
    /// The latest `firmware.push_*` event: detection after it is the final detection.
    public var lastPushEvent: Int64?
    public var completedSeq: Int64?
    public var aborted: Observed<String>?
    public var eventCount = 0
    public var lastSeq: Int64?
    /// Every correction, in log order: what was recorded, what it became, why, by whom and when.
    public var corrections: [Correction] = []
    /// Events logged while the site stood completed: after a `procedure.completed` and before a
    /// `procedure.reopened` (whose corrective visit's events are not late).
    public var lateEntries: [LateEntry] = []
    /// Each `procedure.reopened`, with its reason: a corrective visit starts there.
    public var reopenings: [Observed<String>] = []
    /// Completed, and not reopened since: what is recorded now is a late entry.
    public var isClosed = false
    /// The seq the current visit starts at: `procedure.started`'s, or the last reopening's.
    public var visitStartSeq: Int64? { reopenings.last?.seq ?? procedure?.seq }
    /// The state as it was at the first `procedure.completed` (0 or 1 element: a struct cannot hold itself).
    var completionSnapshot: [SiteState] = []

    /// The site as it stood when the procedure completed, without any late entry; nil before completion.
    public var stateAtCompletion: SiteState? { completionSnapshot.first }

    public init(site: String) { self.site = site }

    public func stack(_ id: String) -> StackState? { stacks.first { $0.id == id } }

    /// The stack registered as order 1, else the first one known.
    public var master: StackState? { stacks.first { $0.order == 1 } ?? stacks.first }
}
