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
                try await setDIP(stack, .inv, to: DIPPosition.detection(pins: session.pinCount(.inv)))
            case .count where index > 0:
                let deviation = "\(stack) shows \(code), the procedure expects \(expected[index])"
                // Yes: the technician checks the unit and the display is read again; both readings stay.
                if try await offerFix(deviation, id: "lcd:\(stack)") { continue }
                index += 1
            default:
                continue  // Still 62, or an error code: wait and read again.
            }
        }
        if index < expected.count {
            warn("\(stack) never showed \(expected[index]) in \(readings) readings")
        }
    }

    /// After a detection step: a stack whose last reading is an error (`ERROR 19` while it was isolated) is read
    /// again, so the check judges what the display shows now.
    func rereadErrors() async throws(RunError) {
        for stack in session.stacks where stack.lcd?.value.isError == true {
            let shown = stack.lcd?.value.code ?? ""
            let code = try await observeLCD(
                stack.id, text: "\(stack.id) last showed \(shown). What does the LCD of \(stack.id) show now?")
            if code.isError { warn("\(stack.id) still shows \(code)") }
        }
    }

    private func pause() async throws(RunError) {
        do { try await runner.sleeper.sleep(milliseconds: runner.settings.lcdPollMilliseconds) } catch {
            throw .transport(.cancelled)
        }
    }
}
