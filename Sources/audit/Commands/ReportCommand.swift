import ArgumentParser
import AuditCrypto
import AuditLog
import AuditReports
import Foundation

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a signed completion report for a site: report.json, report.json.sig, report.html.")

    @OptionGroup var log: LogOptions

    @Option(name: .long, help: "The site to report on.")
    var site: String

    @Option(name: .long, help: "Private key PEM (default: $AUDIT_KEY, else the key 'audit keygen' writes).")
    var key: String?

    @Option(name: .long, help: "Output folder, new or empty (default: a folder named after the site, here).")
    var out: String?

    @OptionGroup var output: FormatOptions

    func run() throws {
        let directory = URL(fileURLWithPath: out ?? ReportDirectory.defaultName(site: site))
        let signed: SignedReport
        do {
            try ReportDirectory.checkWritable(directory)
            let signingKey = try KeyFiles.loadPrivateKey(
                at: URL(fileURLWithPath: key ?? KeyLocation.defaultPrivateKey()))
            let store = try log.open()
            let inputs = try ReportBuilder.inputs(store: store, site: site, keyID: signingKey.keyID)
            let report = try ReportBuilder.build(inputs)
            signed = try ReportSigner.sign(report, with: signingKey)
            try ReportDirectory.write(signed, photos: ReportBuilder.photoFiles(report, store: store), to: directory)
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure(String(describing: error))
        }
        let report = signed.report
        let failing = report.failingFindings.map(\.rule)
        switch output.format {
        case .json:
            emit([
                "verdict": .string(report.verdict.rawValue), "directory": .string(directory.path),
                "failing_rules": .array(failing.map(JSONValue.string)), "key_id": .string(report.keyID),
                "checkpoint_size": .integer(report.checkpoint.size),
            ])
        case .text:
            let detail = failing.isEmpty ? "" : " (\(failing.count) rules fail: \(failing.joined(separator: ", ")))"
            print("\(report.verdict.rawValue.uppercased()): site \(report.site)\(detail)")
            print("wrote \(directory.path)/{report.json,report.json.sig,report.html}, signed by key \(report.keyID)")
        }
    }
}
