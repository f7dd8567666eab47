import ArgumentParser
import AuditLog
import AuditReports
import AuditWitnessClient
import Foundation

struct ReportCommand: AsyncParsableCommand {
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

    @Option(help: "Seconds to wait for each witness before writing the report without it.")
    var timeout: Double = 10

    @OptionGroup var output: FormatOptions

    func run() async throws {
        let directory = URL(fileURLWithPath: out ?? ReportDirectory.defaultName(site: site))
        let written = try await ReportWriter().write(
            site: site, logPath: log.path, keyPath: key ?? KeyLocation.defaultPrivateKey(), to: directory,
            submitter: HTTPCheckpointSubmitter(transport: URLSessionWitnessTransport(timeout: timeout)))
        for notice in written.witnessNotices { warn(notice) }
        let report = written.report
        let witnesses = report.witnessing.cosignatures.map(\.witness.name)
        let failing = written.failingRules
        switch output.format {
        case .json:
            emit([
                "verdict": .string(report.verdict.rawValue), "directory": .string(directory.path),
                "failing_rules": .array(failing.map(JSONValue.string)), "key_id": .string(report.keyID),
                "checkpoint_size": .integer(report.checkpoint.size),
                "witnessing": .string(report.witnessing.status.rawValue),
                "witnesses": .array(witnesses.map(JSONValue.string)),
            ])
        case .text:
            let detail =
                failing.isEmpty
                ? ""
                : " (\(counted(failing.count, "rule")) \(failing.count == 1 ? "fails" : "fail"): \(failing.joined(separator: ", ")))"
            say("\(report.verdict.rawValue.uppercased()): site \(report.site)\(detail)")
            say("wrote \(directory.path)/{report.json,report.json.sig,report.html}, signed by key \(report.keyID)")
            say(
                witnesses.isEmpty
                    ? "NOT WITNESSED: no witness cosigned a checkpoint holding this site's events"
                    : "witnessed: checkpoint size \(report.checkpoint.size) cosigned by \(witnesses.joined(separator: ", "))"
            )
        }
    }
}
