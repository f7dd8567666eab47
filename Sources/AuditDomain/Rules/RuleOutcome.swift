/// A verdict before it is attached to a rule; rules build one per stack or event and combine them.
public struct RuleOutcome: Sendable, Hashable {
    public var verdict: Verdict
    public var message: String
    public var evidence: [Int64]

    public init(_ verdict: Verdict, _ message: String, _ evidence: [Int64] = []) {
        self.verdict = verdict
        self.message = message
        self.evidence = evidence
    }

    static func pass(_ evidence: [Int64]) -> RuleOutcome { RuleOutcome(.pass, "", evidence) }

    /// The worst verdict wins: its first message says how many more there are, its evidence is all of theirs
    /// (`Rule.evaluate` sorts it and drops repeats).
    static func combine(_ parts: [RuleOutcome], passing message: String) -> RuleOutcome {
        guard let worst = parts.map(\.verdict).min() else { return RuleOutcome(.pass, message) }
        let chosen = parts.filter { $0.verdict == worst }
        let evidence = chosen.flatMap(\.evidence)
        guard worst != .pass else { return RuleOutcome(.pass, message, evidence) }
        let more = chosen.count > 1 ? " (and \(chosen.count - 1) more)" : ""
        return RuleOutcome(worst, chosen[0].message + more, evidence)
    }
}
