import AuditDomain

/// Prints a site's check the one way `audit check`, `audit run` and `audit demo` all show it.
func printCheck(_ check: SiteCheck, format: OutputFormat = .text) {
    switch format {
    case .json:
        emit(check.json)
    case .text:
        for finding in check.findings {
            let evidence =
                finding.evidence.isEmpty ? "" : " [seq \(finding.evidence.map(String.init).joined(separator: ","))]"
            say(
                "\(finding.verdict.rawValue.uppercased().padding(13))\(finding.rule.padding(28))\(finding.message)\(evidence)"
            )
        }
        say(
            "verdict: \(check.verdict.rawValue.uppercased()) (\(check.failing.count) failing of \(counted(check.findings.count, "rule")))"
        )
    }
}
