/// The binding vocabulary of `type` strings; other components write and read exactly these.
public enum EventType: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    case siteRegistered = "site.registered"
    case procedureStarted = "procedure.started"
    case firmwareVersionObserved = "firmware.version_observed"
    case powerObserved = "power.observed"
    case cableObserved = "cable.observed"
    case dipObserved = "dip.observed"
    case lcdObserved = "lcd.observed"
    case noteAdded = "note.added"
    case photoAttached = "photo.attached"
    case pushStarted = "firmware.push_started"
    case pushProgress = "firmware.push_progress"
    case pushCompleted = "firmware.push_completed"
    case pushFailed = "firmware.push_failed"
    case stepCompleted = "step.completed"
    case procedureCompleted = "procedure.completed"
    case procedureAborted = "procedure.aborted"

    public init(parsing text: String) throws(DomainError) {
        guard let type = Self.byName[text] else { throw .unknownEventType(text) }
        self = type
    }

    /// One hash lookup per event instead of comparing against every raw value in turn.
    private static let byName = Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0) })

    /// Observations of one unit must say which stack; the event's `stack` column carries it.
    public var needsStack: Bool {
        switch self {
        case .firmwareVersionObserved, .powerObserved, .dipObserved, .lcdObserved, .pushStarted, .pushProgress,
            .pushCompleted, .pushFailed:
            true
        default: false
        }
    }

    /// The payload schema version writers emit (`v`); older versions are upcast on read.
    public var currentVersion: Int64 { self == .dipObserved ? 2 : 1 }

    public var description: String { rawValue }
}
