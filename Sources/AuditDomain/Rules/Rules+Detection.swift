extension Rules {
    public static let detectIsolated = Rule(
        id: "detect.isolated-62-then-1", title: "Isolated detection showed 62 then 1 on every pushed unit"
    ) { state in
        eachPushedStack(state, passing: "every pushed unit showed 62 then 1 before its push") { stack in
            guard let push = stack.pushes.first?.started.seq else { return [] }
            guard let run = stack.detections.last(where: { $0.count.seq < push }) else {
                return [RuleOutcome(.fail, "\(stack.id) showed no 62 then 1 before its push (event \(push))", [push])]
            }
            guard run.count.value == 1 else {
                return [
                    RuleOutcome(
                        .fail,
                        "\(stack.id) showed 62 then \(run.count.value) (event \(run.count.seq)) while isolated, not 1",
                        [run.startSeq, run.count.seq])
                ]
            }
            return [.pass([run.startSeq, run.count.seq])]
        }
    }

    public static let detectFinalCount = Rule(
        id: "detect.final-count", title: "Final detection on the master counted every stack"
    ) { state in
        guard let master = state.master else { return RuleOutcome(.unverifiable, "no master is recorded") }
        let expected = state.stacks.filter { $0.order != nil }.count
        let after = state.lastPushEvent ?? 0
        guard let run = master.detections.last(where: { $0.startSeq > after }) else {
            return RuleOutcome(.fail, "the master \(master.id) showed no 62 then a count after the update")
        }
        guard run.count.value == expected else {
            return RuleOutcome(
                .fail,
                "the master \(master.id) counted \(run.count.value) stacks (event \(run.count.seq)); the site has \(expected)",
                [run.startSeq, run.count.seq])
        }
        return RuleOutcome(.pass, "the master \(master.id) showed 62 then \(expected)", [run.startSeq, run.count.seq])
    }

    /// Judges each stack's last LCD reading: an error shown while isolated (`ERROR 19`) is expected, and a later
    /// normal reading is what shows it cleared.
    public static let errorsNoneOpen = Rule(id: "errors.none-open", title: "No LCD error left open") { state in
        eachStack(state, passing: "no stack's last LCD reading is an error") { stack in
            guard let last = stack.lcd else { return [.pass([])] }
            guard case .error = last.value.kind else { return [.pass([last.seq])] }
            return [
                RuleOutcome(
                    .fail, "\(stack.id) still shows \(last.value) (event \(last.seq), its last LCD reading)",
                    stack.openErrors.map(\.seq) + [last.seq])
            ]
        }
    }
}
