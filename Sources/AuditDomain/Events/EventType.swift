/// The binding vocabulary of `type` strings; other components write and read exactly these.
public enum EventType: String, CaseIterable, Sendable, Hashable, CustomStringConvertible, Codable {
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
    /// A corrective visit on a completed site: its events belong to that visit and are not late entries.
    case procedureReopened = "procedure.reopened"

    /// Runs once per folded event: a slot from the length and two bytes, confirmed by one comparison,
    /// is cheaper than hashing the name; names that share a slot fall back to the dictionary.
    public init(parsing text: String) throws(DomainError) {
        if let type = Self.bySlot[Self.slot(text)], type.rawValue == text {
            self = type
            return
        }
        guard let type = Self.byName[text] else { throw .unknownEventType(text) }
        self = type
    }

    private static let byName = Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0) })

    private static let bySlot: [EventType?] = allCases.reduce(into: Array(repeating: nil, count: 64)) { table, type in
        if table[slot(type.rawValue)] == nil { table[slot(type.rawValue)] = type }
    }

    private static func slot(_ text: String) -> Int {
        let utf8 = text.utf8
        guard let first = utf8.first, utf8.count >= 5 else { return 0 }
        return (Int(first) &* utf8.count &+ Int(utf8[utf8.index(utf8.endIndex, offsetBy: -5)])) & 63
    }

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
