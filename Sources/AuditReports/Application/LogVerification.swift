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
    /// The chain walk passed, but SQLite's integrity check did not: an index or page of the log is damaged.
    case damaged([String])
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
        case .damaged(let problems):
            "the log's database is damaged: the chain walk passed, SQLite's integrity check did not: "
                + problems.prefix(3).joined(separator: "; ")
                + (problems.count > 3 ? "; and more" : "")
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
        case .otherLog, .chainBroken, .damaged, .mismatch: .no
        case .incomplete(let error): error.exitStatus
        case .log(let error): error.exitStatus
        }
    }
}

/// What `audit verify` found: the chain, and with `--against` how the log stands to the report's checkpoint.
public struct LogVerification: Sendable {
    public struct Against: Sendable, Equatable {
        public var checkpoint: Checkpoint
        /// The log's checkpoint and the consistency proof to it; nil when the chain is broken and nothing was compared.
        public var consistency: CheckpointConsistency?
        /// Why the log does not hold what the report committed to; nil when it does.
        public var failure: LogVerificationFailure?
        public var signatureChecked: Bool

        public var matches: Bool { failure == nil }
    }

    public var chain: ChainVerification
    public var against: Against?
    /// The first failure, after the results above were gathered; nil when everything verifies.
    public var failure: LogVerificationFailure?

    /// Verifies the chain and, given a report.json, that the log still holds every event the report committed to.
    ///
    /// The log must extend the report's checkpoint by an RFC 6962 consistency proof, and hold every embedded
    /// event as its row. Failures found before any result exists are thrown; failures of the checks themselves
    /// are in `failure`, so the caller can print what was found and then fail.
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
        if let checkpoint = inputs?.checkpoint, checkpoint.logID != store.logID {
            throw .otherLog(reportLogID: checkpoint.logID, logID: store.logID)
        }
        let chain: ChainVerification
        do { chain = try store.verify(checkingIntegrity: true) } catch { throw .log(error) }
        var result = LogVerification(chain: chain, against: nil)
        result.failure =
            chain.firstBreak.map(LogVerificationFailure.chainBroken)
            ?? (chain.damage.isEmpty ? nil : .damaged(chain.damage))
        if let inputs {
            let against = try compare(store, with: inputs, unless: result.failure)
            result.against = Against(
                checkpoint: inputs.checkpoint, consistency: against.consistency, failure: against.failure,
                signatureChecked: publicKeyPath != nil)
            result.failure = result.failure ?? against.failure
        }
        return result
    }

    /// The consistency proof, then every embedded event against its row; a broken chain leaves nothing to compare.
    static func compare(
        _ store: SQLiteEventStore, with inputs: ReportInputs, unless chainFailure: LogVerificationFailure?
    )
        throws(LogVerificationFailure) -> (consistency: CheckpointConsistency?, failure: LogVerificationFailure?)
    {
        if let chainFailure { return (nil, chainFailure) }
        let consistency: CheckpointConsistency
        do { consistency = try store.consistency(with: inputs.checkpoint) } catch { throw .log(error) }
        if let mismatch = consistency.mismatch { return (consistency, .mismatch(mismatch)) }
        do { try ReportVerifier.checkComplete(inputs, in: store) } catch { return (consistency, .incomplete(error)) }
        return (consistency, nil)
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
