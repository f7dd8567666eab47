import AuditLog
import Foundation

extension DomainEvent {
    /// Reads a logged event, upcasting older payload versions; refuses unknown types and malformed payloads.
    public static func decode(_ event: LoggedEvent) throws(DomainError) -> DomainEvent {
        try decode(type: event.type, stack: event.stack, payload: event.payload)
    }

    static func decode(type name: String, stack: String?, payload: String) throws(DomainError) -> DomainEvent {
        try decodeMarked(type: name, stack: stack, payload: payload).event
    }

    /// Reads a logged event and, for an observation that supersedes an earlier one, its correction mark.
    static func decodeMarked(
        type name: String, stack: String?, payload: String
    ) throws(DomainError) -> (event: DomainEvent, correction: CorrectionMark?) {
        let type = try EventType(parsing: name)
        if type.needsStack, stack == nil { throw .missingStack(type: type.rawValue) }
        let reader = try PayloadReader(type: type, payload: payload)
        return (try decode(type: type, payload: reader), try CorrectionMark(reading: reader))
    }

    /// Reads a draft's payload with its correction mark, e.g. a line of an import file.
    public static func decodeMarked(
        type name: String, data: JSONValue
    ) throws(DomainError) -> (event: DomainEvent, correction: CorrectionMark?) {
        let type = try EventType(parsing: name)
        let reader = try PayloadReader(type: type, data: data)
        return (try decode(type: type, payload: reader), try CorrectionMark(reading: reader))
    }

    /// Reads a payload that is not logged yet, e.g. a line of an import file.
    public static func decode(type: String, data: JSONValue) throws(DomainError) -> DomainEvent {
        let type = try EventType(parsing: type)
        return try decode(type: type, payload: PayloadReader(type: type, data: data))
    }

    static func decode(type: EventType, payload: PayloadReader) throws(DomainError) -> DomainEvent {
        switch type {
        case .siteRegistered: .siteRegistered(try SiteRegistered(reading: payload))
        case .procedureStarted: .procedureStarted(try ProcedureStarted(reading: payload))
        case .firmwareVersionObserved: .firmwareVersionObserved(try VersionObserved(reading: payload))
        case .powerObserved: .powerObserved(try PowerObserved(reading: payload))
        case .cableObserved: .cableObserved(try CableObserved(reading: payload))
        case .dipObserved: .dipObserved(try DIPObserved(reading: payload))
        case .lcdObserved: .lcdObserved(try LCDObserved(reading: payload))
        case .noteAdded: .noteAdded(try NoteAdded(reading: payload))
        case .photoAttached: .photoAttached(try PhotoAttached(reading: payload))
        case .pushStarted: .pushStarted(try PushStarted(reading: payload))
        case .pushProgress: .pushProgress(try PushProgress(reading: payload))
        case .pushCompleted: .pushCompleted(try PushCompleted(reading: payload))
        case .pushFailed: .pushFailed(try PushFailed(reading: payload))
        case .stepCompleted: .stepCompleted(try StepCompleted(reading: payload))
        case .procedureCompleted: .procedureCompleted
        case .procedureAborted: .procedureAborted(try ProcedureAborted(reading: payload))
        case .procedureReopened: .procedureReopened(try ProcedureReopened(reading: payload))
        }
    }

    /// The payload in the current schema version, `v` included.
    public var data: JSONValue {
        var fields: [String: JSONValue]
        switch self {
        case .siteRegistered(let payload): fields = payload.fields
        case .procedureStarted(let payload): fields = payload.fields
        case .firmwareVersionObserved(let payload): fields = payload.fields
        case .powerObserved(let payload): fields = payload.fields
        case .cableObserved(let payload): fields = payload.fields
        case .dipObserved(let payload): fields = payload.fields
        case .lcdObserved(let payload): fields = payload.fields
        case .noteAdded(let payload): fields = payload.fields
        case .photoAttached(let payload): fields = payload.fields
        case .pushStarted(let payload): fields = payload.fields
        case .pushProgress(let payload): fields = payload.fields
        case .pushCompleted(let payload): fields = payload.fields
        case .pushFailed(let payload): fields = payload.fields
        case .stepCompleted(let payload): fields = payload.fields
        case .procedureCompleted: fields = [:]
        case .procedureAborted(let payload): fields = payload.fields
        case .procedureReopened(let payload): fields = payload.fields
        }
        fields["v"] = .integer(type.currentVersion)
        return .object(fields)
    }

    /// The draft a writer appends; `stack` is required for per-unit observations (see `EventType.needsStack`).
    /// With `correcting`, the observation supersedes the event it names (see `CorrectionMark`).
    public func draft(
        site: String, stack: String?, observedAt: Timestamp?, actor: String, eventID: UUID = .version7(),
        correcting: CorrectionMark? = nil
    ) -> EventDraft {
        var data = data
        if let correcting, case .object(var fields) = data {
            fields["corrects"] = .integer(correcting.corrects)
            fields["reason"] = .string(correcting.reason)
            data = .object(fields)
        }
        return EventDraft(
            eventID: eventID, site: site, stack: stack, type: type.rawValue, data: data, observedAt: observedAt,
            actor: actor)
    }
}
