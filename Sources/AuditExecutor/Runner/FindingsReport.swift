import AuditDomain

/// The findings as `audit check` prints them: one line per rule, failing first, then one verdict line.
public enum FindingsReport {
    public static func lines(_ findings: [Finding]) -> [String] {
        let sorted = findings.enumerated().sorted { ($0.element.verdict, $0.offset) < ($1.element.verdict, $1.offset) }
        var lines = sorted.map {
            "\($0.element.verdict.rawValue.uppercased()) \($0.element.rule): \($0.element.message)"
        }
        lines.append(verdict(findings))
        return lines
    }

    public static func verdict(_ findings: [Finding]) -> String {
        let failed = findings.filter { $0.verdict == .fail }.count
        let unverifiable = findings.filter { $0.verdict == .unverifiable }.count
        if failed > 0 { return "verdict: FAIL (\(failed) of \(findings.count) rules failed)" }
        if unverifiable > 0 { return "verdict: UNVERIFIABLE (\(unverifiable) of \(findings.count) rules undecided)" }
        return "verdict: PASS (all \(findings.count) rules passed)"
    }
}
