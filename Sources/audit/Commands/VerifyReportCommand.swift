import ArgumentParser
import AuditCrypto
import AuditReports
import Foundation

struct VerifyReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-report",
        abstract: "Check a report folder: signature, canonical JSON, event hashes and proofs, replayed verdicts.")

    @Argument(help: "The report folder holding report.json and report.json.sig.")
    var directory: String

    @Option(name: .long, help: "The signer's public key PEM (signing-key.pub.pem).")
    var pubkey: String

    @OptionGroup var output: FormatOptions

    func run() throws {
        let report: Report
        do {
            let key = try KeyFiles.loadPublicKey(at: URL(fileURLWithPath: pubkey))
            report = try ReportVerifier.verify(directory: URL(fileURLWithPath: directory), publicKey: key)
        } catch { throw CommandFailure(String(describing: error)) }
        switch output.format {
        case .json:
            emit([
                "valid": true, "site": .string(report.site), "verdict": .string(report.verdict.rawValue),
                "key_id": .string(report.keyID), "events": .integer(Int64(report.events.count)),
                "checkpoint_size": .integer(report.checkpoint.size), "mode": .string(report.mode.rawValue),
            ])
        case .text:
            print(
                "valid: report for site \(report.site) signed by key \(report.keyID); verdict "
                    + "\(report.verdict.rawValue.uppercased()) re-derived from \(report.events.count) events, "
                    + "each proven against checkpoint root \(report.checkpoint.root.hex) (size \(report.checkpoint.size))"
            )
            switch report.mode {
            case .simulation: print("SIMULATION: this report is of a simulated run, not of work on a site")
            case .notRecorded: print("note: the report does not say whether its pushes were simulated")
            case .visit: break
            }
        }
    }
}
