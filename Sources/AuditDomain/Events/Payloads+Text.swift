import AuditLog

/// A payload made of one string member: its key is written once, reading and writing come for free.
protocol TextPayload: EventPayload {
    static var key: String { get }
    init(_ value: String)
    var value: String { get }
}

extension TextPayload {
    init(reading payload: PayloadReader) throws(DomainError) { self.init(try payload.string(Self.key)) }

    var fields: [String: JSONValue] { [Self.key: .string(value)] }
}

/// A firmware version read on the unit, e.g. before the push.
public struct VersionObserved: TextPayload {
    static let key = "version"
    public var version: String
    public init(version: String) { self.version = version }
    init(_ value: String) { version = value }
    var value: String { version }
}

/// The push ended and the unit reported `version` when read back.
public struct PushCompleted: TextPayload {
    static let key = "version"
    public var version: String
    public init(version: String) { self.version = version }
    init(_ value: String) { version = value }
    var value: String { version }
}

public struct PushFailed: TextPayload {
    static let key = "reason"
    public var reason: String
    public init(reason: String) { self.reason = reason }
    init(_ value: String) { reason = value }
    var value: String { reason }
}

public struct ProcedureAborted: TextPayload {
    static let key = "reason"
    public var reason: String
    public init(reason: String) { self.reason = reason }
    init(_ value: String) { reason = value }
    var value: String { reason }
}

/// Why a completed site gets a corrective visit; the visit's events follow it and end with `procedure.completed`.
public struct ProcedureReopened: TextPayload {
    static let key = "reason"
    public var reason: String
    public init(reason: String) { self.reason = reason }
    init(_ value: String) { reason = value }
    var value: String { reason }
}

/// `step` is a step id from the procedure file, e.g. `isolate.power-off`.
public struct StepCompleted: TextPayload {
    static let key = "step"
    public var step: String
    public init(step: String) { self.step = step }
    init(_ value: String) { step = value }
    var value: String { step }
}

public struct NoteAdded: TextPayload {
    static let key = "text"
    public var text: String
    public init(text: String) { self.text = text }
    init(_ value: String) { text = value }
    var value: String { text }
}
