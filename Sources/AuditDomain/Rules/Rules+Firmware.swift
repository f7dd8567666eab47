extension Rules {
    public static let pushIsolated = Rule(
        id: "push.isolated", title: "Every push made while the stack was isolated and addressed as master"
    ) { state in
        eachPushedStack(state, passing: "every push started with no cable attached and ADDR set to master") { stack in
            stack.pushes.flatMap { push in
                let seq = push.started.seq
                let cables = push.linksAtStart.sorted { $0.key < $1.key }.map { edge, plugged in
                    RuleOutcome(
                        .fail, "\(stack.id) pushed (event \(seq)) while cabled \(edge) (event \(plugged))",
                        [seq, plugged])
                }
                return cables + [masterAddress(stack, push)]
            }
        }
    }

    /// While isolated, each unit must believe it is the master: ADDR pin 1 up, the rest down.
    static func masterAddress(_ stack: StackState, _ push: PushAttempt) -> RuleOutcome {
        let seq = push.started.seq
        guard let addr = push.addrAtStart else {
            return RuleOutcome(.unverifiable, "\(stack.id)'s ADDR was unknown at its push (event \(seq))", [seq])
        }
        let master = DIPPosition.master(pins: addr.value.pins)
        guard addr.value == master else {
            return RuleOutcome(
                .fail, "\(stack.id) pushed (event \(seq)) with ADDR \(addr.value) (event \(addr.seq)), not \(master)",
                [seq, addr.seq])
        }
        return .pass([seq, addr.seq])
    }

    public static let firmwareTargetVersion = Rule(
        id: "firmware.target-version", title: "Every stack on the target version from the approved image"
    ) { state in
        guard let run = state.procedure?.value else {
            return RuleOutcome(.unverifiable, "no procedure.started states the target version")
        }
        let target = run.targetVersion
        return eachStack(state, passing: "every stack reads \(target), pushed from the approved image") { stack in
            let images = stack.pushes.map { push in
                let started = push.started
                guard started.value.imageSHA256 == run.imageSHA256, started.value.targetVersion == target else {
                    return RuleOutcome(
                        .fail,
                        "\(stack.id)'s push (event \(started.seq)) used image \(started.value.imageSHA256) for "
                            + "\(started.value.targetVersion), not the approved \(run.imageSHA256) for \(target)",
                        [started.seq])
                }
                return .pass([started.seq])
            }
            let lastSuccess = stack.pushes.last { $0.completed != nil }?.completed?.seq ?? 0
            let fault = stack.lastError20.flatMap { error in
                error.seq > lastSuccess
                    ? RuleOutcome(
                        .fail, "\(stack.id) showed ERROR 20 (event \(error.seq)) after its last push", [error.seq])
                    : nil
            }
            return images + [fault, versionOutcome(stack, target: target)].compactMap { $0 }
        }
    }

    static func versionOutcome(_ stack: StackState, target: String) -> RuleOutcome {
        guard let reading = stack.versionAfter ?? stack.versionBefore else {
            return RuleOutcome(.unverifiable, "no firmware version was read on \(stack.id)")
        }
        if reading.value.allSatisfy({ $0 == "0" }) {
            return RuleOutcome(
                .fail, "\(stack.id) reads \(reading.value) (event \(reading.seq)): the module may be bricked",
                [reading.seq])
        }
        guard reading.value == target else {
            return RuleOutcome(
                .fail, "\(stack.id) reads \(reading.value) (event \(reading.seq)), not \(target)", [reading.seq])
        }
        return .pass([reading.seq])
    }

    public static let pushNoStalled = Rule(
        id: "push.no-stalled", title: "No push left unfinished or failed"
    ) { state in
        var outcome = eachStack(state, passing: "every push that started ended in a completed transfer") { stack in
            guard let push = stack.pushes.last else { return [] }
            let started = push.started.seq
            switch push.status {
            case .completed, .none: return [.pass([started, push.completed?.seq].compactMap { $0 })]
            case .inFlight:
                let progress = push.progress.map { " (last progress \($0.value)%)" } ?? ""
                return [
                    RuleOutcome(.fail, "\(stack.id)'s push (event \(started)) never finished\(progress)", [started])
                ]
            case .failed:
                let failed = push.failed!
                return [
                    RuleOutcome(
                        .fail, "\(stack.id)'s last push failed (event \(failed.seq)): \(failed.value)",
                        [started, failed.seq])
                ]
            }
        }
        // A failed attempt that a later push recovered still belongs in the record: the auditor sees it here.
        let recovered = state.stacks.flatMap { stack in
            stack.pushes.dropLast().compactMap { attempt in attempt.failed.map { (stack.id, $0) } }
        }
        if outcome.verdict == .pass, !recovered.isEmpty {
            let notes = recovered.map { "\($0.0) (event \($0.1.seq): \($0.1.value))" }
            outcome.message += "; retried after a failed attempt: " + notes.joined(separator: ", ")
            outcome.evidence += recovered.map(\.1.seq)
        }
        return outcome
    }
}
