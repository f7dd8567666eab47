import AuditCore
import AuditCrypto
import AuditLog
import Foundation

/// Why a log does not verify, alone or against a report; the answer "no" unless a file is missing or unreadable.
public enum LogVerificationFailure: AuditFailure, Equatable, CustomStringConvertible {
    /// With a public key, the report folder itself was checked first and refused.
    case reportInvalid(ReportError)
    /// report.json could not be read back.
    case unreadableReport(path: String, ReportError)
    case notJSON(path: String, JSONParseError)
    case otherLog(reportLogID: String, logID: String)
    case chainBroken(ChainBreak)
    case mismatch(CheckpointMismatch)
    /// The report leaves out, or changes, an event the log holds for its site.
    case incomplete(ReportError)
    case log(AuditLogError)

    public var description: String {
        switch self {
        case .reportInvalid(let error): "the report itself does not verify: \(error)"
        case .unreadableReport(let path, .missingReport): "\(path) is missing or unreadable"
        case .unreadableReport(let path, let error): "\(path): \(error)"
        case .notJSON(let path, let error): "\(path) is not JSON: \(error)"
        case .otherLog(let reportLogID, let logID): "the report is of log \(reportLogID), not of this log \(logID)"
        case .chainBroken(let chainBreak): "chain broken at \(chainBreak)"
        case .mismatch(let mismatch): "the log no longer matches the report: \(mismatch)"
        case .incomplete(let error): error.description
        case .log(let error): error.description
        }
    }

    public var exitStatus: SysExit {
        switch self {
        // A signature that does not verify is a "no"; a key or folder that is not there is not found.
        case .reportInvalid(let error): error.exitStatus == .notFound ? .notFound : .no
        case .unreadableReport(_, let error): error.exitStatus
        case .notJSON: .invalidInput
        case .otherLog, .chainBroken, .mismatch: .no
        case .incomplete(let error): error.exitStatus
        case .log(let error): error.exitStatus
        }
    }
}

/// What `audit verify` found: the chain, and with `--against` how the log stands to the report's checkpoint.
public struct LogVerification: Sendable {
    public struct Against: Sendable, Hashable {
        public var checkpoint: Checkpoint
        public var mismatch: CheckpointMismatch?
        public var signatureChecked: Bool
    }

    public var chain: ChainVerification
    public var against: Against?
    /// The first failure, after the results above were gathered; nil when everything verifies.
    public var failure: LogVerificationFailure?

    /// Verifies the chain and, given a report.json, that the log still holds every event the report committed to.
    ///
    /// Failures found before any result exists are thrown; failures of the checks themselves are in `failure`,
    /// so the caller can print what was found and then fail.
    public static func verify(
        store: SQLiteEventStore, against reportPath: String? = nil, publicKeyPath: String? = nil
    ) throws(LogVerificationFailure) -> LogVerification {
        // Without the key, report.json is only a claim: its signature and verdicts are checked when the key is given.
        if let reportPath, let publicKeyPath {
            do {
                _ = try ReportVerifier.verify(
                    directory: URL(fileURLWithPath: reportPath).deletingLastPathComponent(),
                    publicKeyPath: publicKeyPath)
            } catch { throw .reportInvalid(error) }
        }
        let inputs = try reportPath.map { (path) throws(LogVerificationFailure) in try readReport(path) }
        let checkpoint = inputs?.checkpoint
        if let checkpoint, checkpoint.logID != store.logID {
            throw .otherLog(reportLogID: checkpoint.logID, logID: store.logID)
        }
        var result: LogVerification
        do {
            let chain = try store.verify()
            result = LogVerification(
                chain: chain,
                against: try checkpoint.map { (checkpoint) throws(AuditLogError) in
                    Against(
                        checkpoint: checkpoint, mismatch: try store.verify(against: checkpoint),
                        signatureChecked: publicKeyPath != nil)
                })
        } catch { throw .log(error) }
        if let firstBreak = result.chain.firstBreak {
            result.failure = .chainBroken(firstBreak)
        } else if let mismatch = result.against?.mismatch {
            result.failure = .mismatch(mismatch)
        } else if let inputs {
            do { try ReportVerifier.checkComplete(inputs, in: store) } catch { result.failure = .incomplete(error) }
        }
        return result
    }

    static func readReport(_ path: String) throws(LogVerificationFailure) -> ReportInputs {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw .unreadableReport(path: path, .missingReport(path: path))
        }
        let bytes: [UInt8]
        do { bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw .unreadableReport(path: path, .missingReport(path: path))
        }
        let json: JSONValue
        do { json = try JSONValue(parsing: bytes) } catch {
            throw .notJSON(path: path, error)
        }
        do { return try ReportInputs(json: json) } catch { throw .unreadableReport(path: path, error) }
    }
}

extension LogVerification {
    init(chain: ChainVerification, against: Against?) {
        self.chain = chain
        self.against = against
        self.failure = nil
    }
}
