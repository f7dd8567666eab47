import AuditDomain
import AuditLog

extension StepWalker {
    /// Reads the LCD until it has shown each expected code in turn (`62`, then a count), re-reading while it
    /// still detects; a wrong final count is recorded as seen and left for the rules.
    func lcdSequence(_ sequence: [String], stack: String) async throws(RunError) {
        let stackCount = String(session.stacks.count)
        let expected = sequence.map { $0 == "{stack_count}" ? stackCount : $0 }
        var index = 0
        var readings = 0
        var restarted = false
        while index < expected.count, readings < runner.settings.maxLCDReadings {
            if expected[index] != LCDCode.detectingCode || readings > 0 { try await pause() }
            let code = try await observeLCD(stack)
            readings += 1
            if code.code == expected[index] {
                index += 1
                continue
            }
            switch code.kind {
            case .count where expected[index] == LCDCode.detectingCode && !restarted:
                // Detection already over (e.g. a resumed step): run it again so 62 and the count are both seen.
                restarted = true
                runner.say("  \(stack) shows \(code) without 62 first: restart the detection.")
                let detection = DIPPosition.detection(pins: session.pinCount(.inv))
                try await perform(.setDIP(stack: stack, bank: .inv, position: detection))
                try await observeDIP(stack, .inv)
            case .count where index > 0:
                warn("\(stack) shows \(code), the procedure expects \(expected[index])")
                index += 1
            default:
                continue  // Still 62, or an error code: wait and read again.
            }
        }
        if index < expected.count {
            warn("\(stack) never showed \(expected[index]) in \(readings) readings")
        }
    }

    private func pause() async throws(RunError) {
        do { try await runner.sleeper.sleep(milliseconds: runner.settings.lcdPollMilliseconds) } catch {
            throw .transport(.cancelled)
        }
    }
}
