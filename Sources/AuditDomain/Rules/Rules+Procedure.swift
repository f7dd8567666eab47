extension Rules {
    public static let cablesRestored = Rule(
        id: "cables.restored", title: "Link cables back as originally found"
    ) { state in
        guard !state.originalLinks.isEmpty else {
            return state.stacks.count == 1 && state.links.isEmpty
                ? RuleOutcome(.pass, "a single stack has no link cables")
                : RuleOutcome(.unverifiable, "the original cable topology was never recorded")
        }
        let missing = state.originalLinks.filter { state.links[$0.key] == nil }.sorted { $0.key < $1.key }.map {
            RuleOutcome(.fail, "\($0.key) (event \($0.value)) is not reconnected", [$0.value])
        }
        let extra = state.links.filter { state.originalLinks[$0.key] == nil }.sorted { $0.key < $1.key }.map {
            RuleOutcome(
                .fail, "\($0.key) is plugged (event \($0.value)) but was not in the original topology", [$0.value])
        }
        return RuleOutcome.combine(
            missing + extra + [.pass(Array(state.links.values))], passing: "every original cable is back, and no other")
    }

    public static let stepsCompleteInOrder = Rule(
        id: "steps.complete-in-order", title: "Every step of the current procedure completed, in order"
    ) { state in
        guard let run = state.procedure else {
            return RuleOutcome(.fail, "no procedure.started: the run never said which procedure it followed")
        }
        guard let current = try? Procedure.load(id: run.value.procedureID) else {
            return RuleOutcome(.fail, "procedure '\(run.value.procedureID)' is not a bundled procedure", [run.seq])
        }
        let version = run.value.procedureVersion
        var outcomes: [RuleOutcome] = []
        if version != current.version {
            let age = version < current.version ? "an older" : "an unknown"
            outcomes.append(
                RuleOutcome(
                    .fail, "performed from \(age) version \(version) of \(current.id) (current \(current.version))",
                    [run.seq]))
        }
        outcomes += stepOrder(state, expected: current.steps.map(\.id))
        return RuleOutcome.combine(
            outcomes + [.pass([run.seq])],
            passing: "all \(current.steps.count) steps of \(current.id) \(version) in order")
    }

    static func stepOrder(_ state: SiteState, expected: [String]) -> [RuleOutcome] {
        var outcomes: [RuleOutcome] = []
        var last = -1
        var reopenings = state.reopenings.map(\.seq)[...]
        for step in state.stepsCompleted {
            // A reopened visit walks the procedure again from its first step.
            while let next = reopenings.first, step.seq > next {
                reopenings = reopenings.dropFirst()
                last = -1
            }
            guard let index = expected.firstIndex(of: step.value) else {
                outcomes.append(RuleOutcome(.fail, "unknown step '\(step.value)' (event \(step.seq))", [step.seq]))
                continue
            }
            if index < last {
                outcomes.append(
                    RuleOutcome(.fail, "step '\(step.value)' completed out of order (event \(step.seq))", [step.seq]))
            } else if index > last + 1 {
                let skipped = expected[(last + 1)..<index].joined(separator: ", ")
                outcomes.append(
                    RuleOutcome(.fail, "skipped \(skipped) before '\(step.value)' (event \(step.seq))", [step.seq]))
            }
            outcomes.append(.pass([step.seq]))
            last = max(last, index)
        }
        if last < expected.count - 1 {
            let missing = expected[(last + 1)...].joined(separator: ", ")
            outcomes.append(
                RuleOutcome(.fail, "not completed: \(missing)", [state.completedSeq ?? state.lastSeq].compactMap { $0 })
            )
        }
        return outcomes
    }
}
