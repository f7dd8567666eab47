import AuditDomain
import AuditLog

extension StepWalker {
    /// Switches each stack as the step asks and observes it; with an order, waits the procedure's pause between
    /// stacks and checks the stacks not yet due are still off, so one switched on early is recorded when it happens.
    func power(_ expectation: Expectation, stacks: [String]) async throws(RunError) {
        let wanted = PowerState(rawValue: expectation.state ?? "") ?? .on
        let ordered = expectation.order != nil
        var alreadyOn: Set<String> = []
        var lastOn: Timestamp?
        if ordered, wanted == .on, stacks.contains(where: { session.stack($0)?.power?.value == .on }) {
            // A sequence cut off half way cannot continue: its order and pauses would be lost. Start it over.
            runner.say("  The power-on sequence was interrupted: turn every BMS off again, then start over.")
            for stack in stacks {
                try await observeExpecting(
                    Prompt(.powerState(stack: stack), after: .powerOff(stack: stack)), expected: .power(.off)
                ) { "\(stack) is \($0), the procedure expects off" }
            }
        }
        for (position, stack) in stacks.enumerated() {
            if alreadyOn.contains(stack) {
                warn("\(stack) was already on before its turn")
                continue
            }
            if wanted == .on, let lastOn, let gap = expectation.minGapMs {
                try await wait(since: lastOn, gap: Int64(gap))
            }
            let action: TechnicianAction = wanted == .on ? .powerOn(stack: stack) : .powerOff(stack: stack)
            let answer = try await observeExpecting(
                Prompt(.powerState(stack: stack), after: action), expected: .power(wanted)
            ) { "\(stack) is \($0), the procedure expects \(wanted)" }
            guard ordered, wanted == .on, answer == .power(.on) else { continue }
            lastOn = session.clock.now()
            alreadyOn.insert(stack)
            for later in stacks.dropFirst(position + 1) where !alreadyOn.contains(later) {
                if try await observePower(later) == .on {
                    warn("\(later) is on before its turn: the order is broken")
                    alreadyOn.insert(later)
                }
            }
        }
    }

    /// The vendor asks for at least `gap` between stacks: wait out what is left of it, plus a margin. On a
    /// terminal the seconds count down on one line; a simulation's sleeper skips the wait.
    private func wait(since last: Timestamp, gap: Int64) async throws(RunError) {
        let remaining = gap + runner.settings.powerOnMarginMilliseconds - session.clock.now().milliseconds(since: last)
        guard remaining > 0 else { return }
        let seconds = (remaining + 999) / 1000
        runner.say("  Waiting \(seconds) s before the next stack (at least \(gap / 1000) s apart).")
        do {
            guard runner.outputIsTerminal, runner.settings.transport != .sim else {
                try await runner.sleeper.sleep(milliseconds: remaining)
                return
            }
            var left = remaining
            while left > 0 {
                runner.output.write("\r  \((left + 999) / 1000) s left \u{1B}[K")
                let slice = left % 1000 == 0 ? 1000 : left % 1000
                try await runner.sleeper.sleep(milliseconds: slice)
                left -= slice
            }
            runner.output.write("\r  done waiting\u{1B}[K\n")
        } catch {
            throw .transport(.cancelled)
        }
    }
}
