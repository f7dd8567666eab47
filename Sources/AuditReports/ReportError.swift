import AuditCore
import AuditCrypto
import AuditDomain
import AuditLog

/// Every way building, writing or reading a report fails; each case reads as one line for stderr.
public enum ReportError: AuditFailure, Equatable, CustomStringConvertible {
    case unknownSite(String)
    case brokenChain(ChainBreak)
    case outputNotEmpty(path: String)
    case fileSystem(operation: String, path: String, reason: String)
    /// A file of a report folder is not there (or the folder is not).
    case missingFile(path: String)
    /// The report.json a log is checked against is not there.
    case missingReport(path: String)
    case malformed(String)
    case template(String)
    case log(AuditLogError)
    case crypto(CryptoError)
    case domain(DomainError)
    /// A checkpoint note or witness key that does not parse or sign.
    case note(NoteError)
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
        case .missingFile(let path): "read \(path) failed: missing or unreadable"
        case .missingReport(let path): "\(path) is missing or unreadable"
        case .malformed(let reason): "report.json is malformed: \(reason)"
        case .template(let reason): "report template: \(reason)"
        case .log(let error): error.description
        case .crypto(let error): error.description
        case .domain(let error): error.description
        case .note(let error): error.description
        case .rejected(let reason): reason
        case .missingPhoto(let seq, let sha256):
            "photo seq \(seq): the log holds no copy of file \(sha256); record it with 'audit record photo --file'"
        }
    }

    public var exitStatus: SysExit {
        switch self {
        case .unknownSite, .missingFile, .missingReport, .missingPhoto: .notFound
        case .brokenChain, .rejected: .no
        case .outputNotEmpty: .refusingToOverwrite
        case .fileSystem: .ioError
        case .malformed: .invalidInput
        case .template: .internalError
        case .log(let error): error.exitStatus
        case .crypto(let error): error.exitStatus
        case .domain(let error): error.exitStatus
        case .note(let error): error.exitStatus
        }
    }
}
