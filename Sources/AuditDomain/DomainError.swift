import AuditCore

/// Every way the domain layer refuses input; callers match on the case, people read the one-line description.
public enum DomainError: AuditFailure, Equatable, CustomStringConvertible {
    case unknownEventType(String)
    case unsupportedVersion(type: String, version: Int64)
    case invalidPayload(type: String, reason: String)
    case missingStack(type: String)
    case dipWrongLength(position: String, pins: Int)
    case dipInvalidCharacter(position: String, pin: Int)
    /// An LCD code that is neither a number, `ERROR n` nor `BLANK`.
    case invalidLCDCode(String)
    case invalidPort(String)
    /// An empty DIP position; `pins` is the bank's count when known.
    case dipEmpty(pins: Int?)
    /// An entry of an `ID:SERIAL,...` stack list, and why it is refused.
    case invalidStackList(String, String)
    case unknownStack(String)
    case cableWithinStack(from: String, to: String)
    case portTaken(port: String, cable: String, seq: Int64)
    /// A correction that names an event it cannot supersede.
    case correctionTarget(seq: Int64, reason: String)
    /// A correction that names a seq the site does not hold: something named that does not exist.
    case correctionTargetMissing(seq: Int64, site: String)
    case invalidChoice(field: String, value: String, allowed: [String])
    case unknownProcedure(id: String, version: String?)
    case invalidProcedure(name: String, reason: String)
    /// A file given as a photo is neither JPEG nor PNG.
    case notAPhoto(name: String)
    /// Wraps an error with the seq of the logged event that caused it.
    indirect case inEvent(seq: Int64, DomainError)

    public var description: String {
        switch self {
        case .unknownEventType(let type): "unknown event type '\(type)'"
        case .unsupportedVersion(let type, let version):
            "\(type) payload version \(version) is newer than this audit understands; upgrade audit"
        case .invalidPayload(let type, let reason): "\(type): \(reason)"
        case .missingStack(let type): "\(type) must name a stack"
        case .dipWrongLength(let position, let pins):
            "DIP position '\(position)' has \(position.count) pins; this bank has \(pins)"
        case .dipInvalidCharacter(let position, let pin):
            "pin \(pin) of DIP position '\(position)' must be U or D (or 1 or 0)"
        case .invalidLCDCode(let text):
            "LCD code '\(text)' must be a number as shown (e.g. 62 or 1), ERROR n (e.g. ERROR 19), or BLANK"
        case .invalidPort(let text): "port '\(text)' must be STACK:A or STACK:B, e.g. S1:A"
        case .dipEmpty(let pins):
            "DIP position is empty: give one U or D (or 1 or 0) per pin, pin 1 first"
                + (pins.map { " (this bank has \($0))" } ?? "")
        case .invalidStackList(let entry, let reason): "stack list entry '\(entry)': \(reason)"
        case .unknownStack(let stack): "stack '\(stack)' is not registered at this site"
        case .cableWithinStack(let from, let to):
            "a cable joins two different stacks; \(from) and \(to) are ports of the same one"
        case .portTaken(let port, let cable, let seq):
            "port \(port) already holds cable \(cable) (event \(seq)); record that one unplugged first"
        case .correctionTarget(let seq, let reason): "cannot correct event \(seq): \(reason)"
        case .correctionTargetMissing(let seq, let site):
            "cannot correct event \(seq): it is not an event of site '\(site)'"
        case .invalidChoice(let field, let value, let allowed):
            "\(field) '\(value)' must be one of \(allowed.joined(separator: ", "))"
        case .unknownProcedure(let id, let version):
            "no bundled procedure '\(id)'" + (version.map { " version \($0)" } ?? "")
        case .invalidProcedure(let name, let reason): "procedure file \(name) is invalid: \(reason)"
        case .notAPhoto(let name): "\(name) is not a JPEG or PNG image"
        case .inEvent(let seq, let error): "event \(seq): \(error)"
        }
    }

    public var exitStatus: SysExit {
        switch self {
        case .unknownEventType, .unsupportedVersion, .invalidPayload, .missingStack, .dipWrongLength,
            .dipInvalidCharacter, .dipEmpty, .invalidLCDCode, .invalidPort, .invalidChoice, .invalidStackList,
            .notAPhoto, .cableWithinStack, .portTaken, .correctionTarget:
            .invalidInput
        case .unknownStack, .unknownProcedure, .correctionTargetMissing: .notFound
        // Procedures are bundled: one that does not load is a bug in this build.
        case .invalidProcedure: .internalError
        case .inEvent(_, let error): error.exitStatus
        }
    }
}
