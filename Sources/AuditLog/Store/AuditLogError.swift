/// Every way the log refuses a request; each case reads as one line for stderr.
public enum AuditLogError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidEvent(index: Int, EventValidationError)
    case eventIDConflict(eventID: String, seq: Int64)
    case notAnAuditLog(path: String, reason: String)
    case noLog(path: String)
    case alreadyExists(path: String)
    case newerSchema(path: String, migration: String)
    case corrupt(String)
    /// An append guard refused the drafts; the reason is the guard's own message.
    case refused(String)
    case database(String)
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
        case .refused(let reason): reason
        case .database(let message): "database error: \(message)"
        case .evidenceTooLarge(let size, let limit):
            "the file is \(size) bytes; the log keeps evidence files of at most \(limit) bytes"
        }
    }
}
