/// A cable change with the stacks that were not observed off at that moment.
public struct CableCheck: Sendable, Hashable {
    public var seq: Int64
    public var edge: CableEdge
    public var state: CableState
    /// Each stack not known to be off: its latest power observation (`on`), or nil if never observed.
    public var notOff: [StackPower]
}

public struct StackPower: Sendable, Hashable {
    public var stack: String
    public var power: Observed<PowerState>?
}

/// The derived state of one site: the result of folding its events, nothing else.
public struct SiteState: Sendable, Hashable {
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

    public init(site: String) { self.site = site }

    public func stack(_ id: String) -> StackState? { stacks.first { $0.id == id } }

    /// The stack registered as order 1, else the first one known.
    public var master: StackState? { stacks.first { $0.order == 1 } ?? stacks.first }
}
