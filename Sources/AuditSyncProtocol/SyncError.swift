import AuditCore

/// Why the collector refuses a sync request; each case carries its HTTP status and the exit status `audit` uses.
public enum SyncError: AuditFailure, Equatable, CustomStringConvertible {
    /// The body or a header does not parse (400).
    case malformed(String)
    /// The request is not signed, is signed by an unknown key, its signature fails, or it is a replay (401).
    case unauthenticated(String)
    /// The installer is revoked, or the log belongs to another installer (403).
    case forbidden(String)
    /// No such log on the collector (404).
    case unknownLog(String)
    /// The log holds no event of this site (404).
    case unknownSite(site: String, logID: String)
    /// A chunk that does not continue the collector's copy, or a checkpoint it cannot accept (409).
    case conflict(String)
    /// A chunk that starts past the collector's size + 1 (409): the chunk before it is not stored (yet).
    case gap(first: Int64, held: Int64)
    /// The log offered another hash at a seq the collector holds: a rewrite, kept as evidence (409).
    case fork(seq: Int64)
    /// The body is larger than the collector reads (413).
    case tooLarge(limit: Int)
    /// The content type is not the one the endpoint reads (415).
    case unsupportedMediaType(String)
    /// The store could not be read or written (503): nothing was stored, the client retries.
    case storage(String)

    public var httpStatus: Int {
        switch self {
        case .malformed: 400
        case .unauthenticated: 401
        case .forbidden: 403
        case .unknownLog, .unknownSite: 404
        case .conflict, .gap, .fork: 409
        case .tooLarge: 413
        case .unsupportedMediaType: 415
        case .storage: 503
        }
    }

    public var exitStatus: SysExit {
        switch self {
        case .malformed, .tooLarge, .unsupportedMediaType: .invalidInput
        case .unknownLog, .unknownSite: .notFound
        case .unauthenticated, .forbidden, .conflict, .gap, .fork: .no
        case .storage: .ioError
        }
    }

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed request: \(reason)"
        case .unauthenticated(let reason): "not authenticated: \(reason)"
        case .forbidden(let reason): "forbidden: \(reason)"
        case .unknownLog(let logID): "unknown log '\(logID)'"
        case .unknownSite(let site, let logID): "the collector holds no site '\(site)' in log \(logID)"
        case .conflict(let reason): "refused: \(reason)"
        case .gap(let first, let held):
            "refused: the chunk starts at seq \(first); the collector holds \(held): send from \(held + 1)"
        case .fork(let seq):
            "fork: the collector holds another event at seq \(seq); the offered rows are kept as evidence"
        case .tooLarge(let limit): "the request body is larger than \(limit) bytes"
        case .unsupportedMediaType(let type): "unsupported content type '\(type)'"
        case .storage(let reason): "collector storage: \(reason)"
        }
    }
}
