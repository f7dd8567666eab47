extension Rules {
    /// The pause the procedure asks for between stacks powering on (`min_gap_ms` in the file); the vendor
    /// text says "give a 10sec pause between each stack", the fallback when the run names no bundled procedure.
    public static func minimumPowerOnGap(_ state: SiteState) -> Int64 {
        let run = state.procedure?.value
        let procedure = run.flatMap { try? Procedure.load(id: $0.procedureID, version: $0.procedureVersion) }
        let gap = procedure?.steps.lazy.flatMap(\.expects).compactMap(\.minGapMs).first
        return gap.map(Int64.init) ?? 10_000
    }

    public static let powerOffBeforeUnplug = Rule(
        id: "power.off-before-unplug", title: "Every BMS off before any cable was unplugged"
    ) { state in
        offBefore(state.unplugs, verb: "unplugged")
    }

    public static let powerOffBeforeReconnect = Rule(
        id: "power.off-before-reconnect", title: "Every BMS off before any cable was reconnected"
    ) { state in
        offBefore(state.replugs, verb: "reconnected")
    }

    static func offBefore(_ changes: [CableCheck], verb: String) -> RuleOutcome {
        let outcomes = changes.flatMap { change in
            change.notOff.map { unit -> RuleOutcome in
                guard let power = unit.power else {
                    return RuleOutcome(
                        .unverifiable, "\(unit.stack)'s power was never observed before \(change.edge) was \(verb)",
                        [change.seq])
                }
                return RuleOutcome(
                    .fail,
                    "\(change.edge) was \(verb) (event \(change.seq)) while \(unit.stack) was on (event \(power.seq))",
                    [change.seq, power.seq])
            } + [RuleOutcome.pass([change.seq])]
        }
        return RuleOutcome.combine(outcomes, passing: changes.isEmpty ? "no cable was \(verb)" : "every BMS was off")
    }

    public static let powerOnOrder = Rule(
        id: "power.on-order", title: "Powered on from the last slave to the master, pausing between stacks"
    ) { state in
        let chain = state.stacks.filter { $0.order != nil }.reversed()
        let minimum = minimumPowerOnGap(state)
        guard !chain.isEmpty else { return RuleOutcome(.unverifiable, "no site.registered gives the stack chain") }
        var outcomes: [RuleOutcome] = chain.map { stack in
            guard let power = stack.power else {
                return RuleOutcome(.unverifiable, "\(stack.id)'s power was never observed")
            }
            guard power.value == .on else { return RuleOutcome(.fail, "\(stack.id) is off at the end", [power.seq]) }
            return .pass([power.seq])
        }
        for (earlier, later) in zip(chain, chain.dropFirst()) {
            guard let first = earlier.power, let second = later.power, first.value == .on, second.value == .on else {
                continue
            }
            let gap = second.at.milliseconds(since: first.at)
            let skew = [first, second].map { power in
                power.recordedAt.map { abs($0.milliseconds(since: power.at)) } ?? 0
            }
            if gap >= minimum, let worst = skew.max(), worst > gap {
                // A time typed by hand is a claim: a pause that rests on it is not evidence of a pause.
                outcomes.append(
                    RuleOutcome(
                        .unverifiable,
                        "the \(gap) ms pause between \(earlier.id) and \(later.id) (events \(first.seq), "
                            + "\(second.seq)) rests on observed times \(worst) ms away from when they were recorded",
                        [first.seq, second.seq]))
            } else if gap < 0 {
                outcomes.append(
                    RuleOutcome(
                        .fail,
                        "\(later.id) (event \(second.seq)) was powered on before \(earlier.id) (event \(first.seq))",
                        [first.seq, second.seq]))
            } else if gap < minimum {
                outcomes.append(
                    RuleOutcome(
                        .fail,
                        "only \(gap) ms between \(earlier.id) and \(later.id) powering on (events \(first.seq), "
                            + "\(second.seq)); at least \(minimum) ms needed",
                        [first.seq, second.seq]))
            }
        }
        return RuleOutcome.combine(
            outcomes, passing: "powered on from the last slave to the master, \(minimum) ms or more apart")
    }
}
