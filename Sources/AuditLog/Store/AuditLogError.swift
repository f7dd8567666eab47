import AuditCore

/// Every way the log refuses a request; each case reads as one line for stderr.
public enum AuditLogError: AuditFailure, Equatable, CustomStringConvertible {
    case invalidEvent(index: Int, EventValidationError)
    case eventIDConflict(eventID: String, seq: Int64)
    case notAnAuditLog(path: String, reason: String)
    case noLog(path: String)
    case alreadyExists(path: String)
    case newerSchema(path: String, migration: String)
    case corrupt(String)
    /// An append guard refused the drafts; the guard's own typed error, so its status and cases survive.
    case refused(any Error)
    case database(String)
    /// A filter names a site the log holds no event for.
    case unknownSite(String)
    /// A file given as evidence is larger than the store keeps.
    case evidenceTooLarge(size: Int, limit: Int)

    public var description: String {
        switch self {
        case .invalidEvent(let index, let error): "event \(index + 1): \(error)"
        case .eventIDConflict(let eventID, let seq):
            "event id \(eventID) is already recorded as seq \(seq) with different content"
        case .notAnAuditLog(let path, let reason): "\(path) is not an audit log: \(reason)"
        case .noLog(let path): "no audit log at \(path) (create one with 'audit init')"
        case .alreadyExists(let path): "\(path) already exists"
        case .newerSchema(let path, let migration):
            "\(path) was written by a newer audit (unknown migration \(migration)); upgrade audit to read it"
        case .corrupt(let reason): "the log is corrupt: \(reason)"
        case .refused(let error): oneLineMessage(error)
        case .database(let message): "database error: \(message)"
        case .unknownSite(let site): "unknown site '\(site)': the log has no events for it"
        case .evidenceTooLarge(let size, let limit):
            "the file is \(size) bytes; the log keeps evidence files of at most \(limit) bytes"
        }
    }

    public var exitStatus: SysExit {
        switch self {
        case .invalidEvent, .eventIDConflict, .notAnAuditLog, .newerSchema, .corrupt, .evidenceTooLarge: .invalidInput
        case .noLog, .unknownSite: .notFound
        case .alreadyExists: .refusingToOverwrite
        case .refused(let error): SysExit.of(error)
        case .database: .ioError
        }
    }

    /// The guard's error when this is a refusal, for callers that match on the domain's cases.
    public var refusal: (any Error)? {
        if case .refused(let error) = self { return error }
        return nil
    }

    /// Refusals are equal when they say the same of the same type; every other case compares its values.
    public static func == (lhs: AuditLogError, rhs: AuditLogError) -> Bool {
        switch (lhs, rhs) {
        case (.invalidEvent(let a, let b), .invalidEvent(let c, let d)): a == c && b == d
        case (.eventIDConflict(let a, let b), .eventIDConflict(let c, let d)): a == c && b == d
        case (.notAnAuditLog(let a, let b), .notAnAuditLog(let c, let d)): a == c && b == d
        case (.noLog(let a), .noLog(let b)): a == b
        case (.alreadyExists(let a), .alreadyExists(let b)): a == b
        case (.newerSchema(let a, let b), .newerSchema(let c, let d)): a == c && b == d
        case (.corrupt(let a), .corrupt(let b)): a == b
        case (.refused(let a), .refused(let b)):
            type(of: a) == type(of: b) && String(describing: a) == String(describing: b)
        case (.database(let a), .database(let b)): a == b
        case (.unknownSite(let a), .unknownSite(let b)): a == b
        case (.evidenceTooLarge(let a, let b), .evidenceTooLarge(let c, let d)): a == c && b == d
        default: false
        }
    }
}
