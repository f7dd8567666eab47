import AuditLog

/// What `audit check` answers for one site: every rule's finding, worst first, and the site's verdict.
///
/// Built by the check and by the end of a guided run alike, so both print the same thing from the same value.
public struct SiteCheck: Sendable, Hashable {
    public var site: String
    /// Failing first, then unverifiable, then passing; rules keep their order within a verdict.
    public var findings: [Finding]

    public init(site: String, findings: [Finding]) {
        self.site = site
        self.findings = findings.sorted { $0.verdict < $1.verdict }
    }

    /// Evaluates every rule on the site's state.
    public init(_ state: SiteState) {
        self.init(site: state.site, findings: Rules.evaluate(state))
    }

    public var verdict: Verdict { Verdict.overall(findings) }

    public var failing: [Finding] { findings.filter { $0.verdict == .fail } }

    /// The answer is "no" when any rule fails.
    public var failed: Bool { findings.contains { $0.verdict == .fail } }

    /// The object `audit check --format json` prints.
    public var json: JSONValue {
        ["site": .string(site), "verdict": .string(verdict.rawValue), "findings": .array(findings.map(\.json))]
    }
}
