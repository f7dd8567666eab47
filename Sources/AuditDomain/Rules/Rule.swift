import AuditLog

/// A compliance rule: a stable id, a title for reports and a pure check of the folded state.
public struct Rule: Sendable {
    public let id: String
    public let title: String
    let check: @Sendable (SiteState) -> RuleOutcome

    /// A site with no stack recorded cannot be judged by any rule.
    public func evaluate(_ state: SiteState) -> Finding {
        let outcome =
            state.stacks.isEmpty ? RuleOutcome(.unverifiable, "no stack is recorded at this site") : check(state)
        return Finding(
            rule: id, title: title, verdict: outcome.verdict, message: outcome.message,
            evidence: Array(Set(outcome.evidence)).sorted())
    }
}

/// The compliance rules of the stacks-in-parallel procedure.
public enum Rules {
    public static let all: [Rule] = [
        dipOriginalsFirst, dipAddrRestored, dipInvRestored, dipAddrParallelValid, powerOffBeforeUnplug,
        powerOffBeforeReconnect,
        pushIsolated, detectIsolated, firmwareTargetVersion, pushNoStalled, cablesRestored, powerOnOrder,
        detectFinalCount, errorsNoneOpen, stepsCompleteInOrder, recordNoLateEntries,
    ]

    /// Every rule's finding: failing first, then unverifiable, then passing, each group in `all` order.
    public static func evaluate(_ state: SiteState) -> [Finding] {
        all.enumerated().map { ($0.offset, $0.element.evaluate(state)) }
            .sorted { ($0.1.verdict, $0.0) < ($1.1.verdict, $1.0) }.map(\.1)
    }

    public static func evaluate(site: String, events: [LoggedEvent]) throws(DomainError) -> [Finding] {
        evaluate(try SiteProjection.rebuild(site: site, events: events))
    }

    /// Combines the outcomes of every stack.
    static func eachStack(
        _ state: SiteState, passing message: String, _ check: (StackState) -> [RuleOutcome]
    ) -> RuleOutcome {
        RuleOutcome.combine(state.stacks.flatMap(check), passing: message)
    }

    /// Like `eachStack`, for rules about pushes: with no push recorded there is nothing to judge.
    static func eachPushedStack(
        _ state: SiteState, passing message: String, _ check: (StackState) -> [RuleOutcome]
    ) -> RuleOutcome {
        guard state.stacks.contains(where: { !$0.pushes.isEmpty }) else {
            return RuleOutcome(.unverifiable, "no firmware push is recorded")
        }
        return eachStack(state, passing: message, check)
    }
}
