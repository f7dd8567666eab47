/// A rule's answer; raw values are what reports print.
public enum Verdict: String, Sendable, Hashable, Comparable, CustomStringConvertible {
    case fail
    /// The log lacks the observations needed to decide either way.
    case unverifiable
    case pass

    /// Worst first: fail < unverifiable < pass.
    public static func < (lhs: Verdict, rhs: Verdict) -> Bool { lhs.rank < rhs.rank }

    private var rank: Int {
        switch self {
        case .fail: 0
        case .unverifiable: 1
        case .pass: 2
        }
    }

    public var description: String { rawValue }
}

/// One rule's verdict on one site, with the seqs of the events that prove it.
public struct Finding: Sendable, Hashable, CustomStringConvertible {
    /// Stable id, e.g. `dip.addr-restored`; reports and auditors key on it.
    public var rule: String
    public var title: String
    public var verdict: Verdict
    /// One line explaining the verdict.
    public var message: String
    /// For a fail, the offending events; otherwise the events that show compliance. Sorted, unique.
    public var evidence: [Int64]

    public init(rule: String, title: String, verdict: Verdict, message: String, evidence: [Int64]) {
        self.rule = rule
        self.title = title
        self.verdict = verdict
        self.message = message
        self.evidence = evidence
    }

    public var description: String { "\(verdict.rawValue.uppercased()) \(rule): \(message)" }
}

extension Verdict {
    /// A site's verdict: fail if any rule fails, else unverifiable if any cannot decide; pass only if every rule passes.
    public static func overall(_ findings: [Finding]) -> Verdict {
        findings.map(\.verdict).min() ?? .unverifiable
    }
}
