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
        try printCheck(try log.siteLog().check(site: site), format: output.format)
    }
}

/// Prints exactly what `audit check` prints for the site, and exits as it does (1 when a rule fails).
func check(site: String, db: String) throws {
    try printCheck(try SiteLog(try SQLiteEventStore.open(at: db)).check(site: site), format: .text)
}

/// Prints the findings and the verdict; exits 1 (after printing) when a rule fails.
func printCheck(_ check: SiteCheck, format: OutputFormat) throws {
    switch format {
    case .json:
        emit([
            "site": .string(check.site), "verdict": .string(check.verdict.rawValue),
            "findings": .array(check.findings.map(\.json)),
        ])
    case .text:
        for finding in check.findings {
            let evidence =
                finding.evidence.isEmpty ? "" : " [seq \(finding.evidence.map(String.init).joined(separator: ","))]"
            print(
                "\(finding.verdict.rawValue.uppercased().padding(13))\(finding.rule.padding(28))\(finding.message)\(evidence)"
            )
        }
        print(
            "verdict: \(check.verdict.rawValue.uppercased()) (\(check.failing.count) failing of \(counted(check.findings.count, "rule")))"
        )
    }
    if !check.passes { throw ExitCode(1) }
}
