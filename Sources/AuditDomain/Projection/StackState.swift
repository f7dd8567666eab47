/// One DIP bank over time: the original is the first observation, recorded before any change.
public struct DIPTrack: Sendable, Hashable, Codable {
    public var original: Observed<DIPPosition>?
    public var now: Observed<DIPPosition>?
    /// The position before the latest change: what "return to the previous position" means.
    public var previous: Observed<DIPPosition>?

    public init() {}
}

public enum PushStatus: String, Sendable, Hashable, CustomStringConvertible, Codable {
    case none
    /// Started with no outcome yet: a transfer that stalled or was cut off looks like this forever.
    case inFlight = "in-flight"
    case completed
    case failed

    public var description: String { rawValue }
}

/// One push attempt, with what the site looked like when it started.
public struct PushAttempt: Sendable, Hashable, Codable {
    public var started: Observed<PushStarted>
    public var progress: Observed<Int>?
    /// `push_completed` carries the version read back; `push_failed` the reason.
    public var completed: Observed<String>?
    public var failed: Observed<String>?
    /// Cables touching the stack when the push started, with the seq that plugged each.
    public var linksAtStart: [CableEdge: Int64]
    public var addrAtStart: Observed<DIPPosition>?

    public var status: PushStatus { completed != nil ? .completed : failed != nil ? .failed : .inFlight }
}

/// An LCD `62` followed by a count on the same stack.
public struct DetectionRun: Sendable, Hashable, Codable {
    /// The seq of the `62`.
    public var startSeq: Int64
    public var count: Observed<Int>
}

/// Everything known about one stack, each fact with the seq that proves it.
public struct StackState: Sendable, Hashable, Codable {
    public var id: String
    public var serial: String?
    /// 1 = master, 2... = slaves in chain order; nil for a stack the site registration does not list.
    public var order: Int?
    public var power: Observed<PowerState>?
    public var addr = DIPTrack()
    public var inv = DIPTrack()
    public var lcd: Observed<LCDCode>?
    /// Errors shown since the stack's last non-error code: any non-error code (62, a count) clears them,
    /// because the LCD shows one code at a time and a normal code means the fault state ended.
    public var openErrors: [Observed<LCDCode>] = []
    /// The latest `ERROR 20` (internal fault, possibly bricked) ever shown.
    public var lastError20: Observed<LCDCode>?
    /// A `62` still waiting for its count.
    public var pendingDetection: Int64?
    public var detections: [DetectionRun] = []
    /// The latest version read before the first push.
    public var versionBefore: Observed<String>?
    /// The latest version read after the first push started (read-back or later observation).
    public var versionAfter: Observed<String>?
    public var pushes: [PushAttempt] = []

    public init(id: String, serial: String? = nil, order: Int? = nil) {
        self.id = id
        self.serial = serial
        self.order = order
    }

    public var pushStatus: PushStatus { pushes.last?.status ?? .none }

    public var pushAttempts: Int { pushes.count }

    public func dip(_ bank: DIPBank) -> DIPTrack { bank == .addr ? addr : inv }
}
