import AuditCrypto
import AuditDomain
import AuditLog

/// Every way building, writing or reading a report fails; each case reads as one line for stderr.
public enum ReportError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownSite(String)
    case brokenChain(ChainBreak)
    case outputNotEmpty(path: String)
    case fileSystem(operation: String, path: String, reason: String)
    case malformed(String)
    case template(String)
    case log(AuditLogError)
    case crypto(CryptoError)
    case domain(DomainError)
    /// A report that does not prove what it says; the text names the first check that failed.
    case rejected(String)
    /// A photo the report must carry has no copy in the log's evidence store.
    case missingPhoto(seq: Int64, sha256: String)

    public var description: String {
        switch self {
        case .unknownSite(let site): "no events are recorded for site '\(site)'"
        case .brokenChain(let chainBreak): "the log's chain is broken at \(chainBreak); no report can vouch for it"
        case .outputNotEmpty(let path): "\(path) already exists and is not empty; choose another --out"
        case .fileSystem(let operation, let path, let reason): "\(operation) \(path) failed: \(reason)"
        case .malformed(let reason): "report.json is malformed: \(reason)"
        case .template(let reason): "report template: \(reason)"
        case .log(let error): error.description
        case .crypto(let error): error.description
        case .domain(let error): error.description
        case .rejected(let reason): reason
        case .missingPhoto(let seq, let sha256):
            "photo seq \(seq): the log holds no copy of file \(sha256); record it with 'audit record photo --file'"
        }
    }
}
