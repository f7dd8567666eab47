import ArgumentParser
import AuditDomain
import AuditLog

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Check a site's run against the procedure; exits 1 when any rule fails.")

    @OptionGroup var log: LogOptions
    @OptionGroup var output: FormatOptions
    @Option(help: "The site.") var site: String

    func run() throws {
        let state = try log.siteState(site).state
        let findings = Rules.evaluate(state).sorted { $0.verdict < $1.verdict }
        let failing = findings.filter { $0.verdict == .fail }
        let verdict = Verdict.overall(findings)
        switch output.format {
        case .json:
            emit([
                "site": .string(site), "verdict": .string(verdict.rawValue), "findings": .array(findings.map(\.json)),
            ])
        case .text:
            for finding in findings {
                let evidence =
                    finding.evidence.isEmpty ? "" : " [seq \(finding.evidence.map(String.init).joined(separator: ","))]"
                print(
                    "\(finding.verdict.rawValue.uppercased().padding(13))\(finding.rule.padding(28))\(finding.message)\(evidence)"
                )
            }
            print("verdict: \(verdict.rawValue.uppercased()) (\(failing.count) failing of \(findings.count) rules)")
        }
        if !failing.isEmpty { throw ExitCode(1) }
    }
}
