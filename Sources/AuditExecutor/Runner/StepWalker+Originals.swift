import AuditDomain
import AuditLog

extension StepWalker {
    /// After Prepare, before anything is changed: shows every original recorded and asks whether it is right; "no"
    /// lets the technician name one and record its correction, so the restore step asks for the corrected position.
    func confirmOriginals() async throws(RunError) {
        for _ in 0..<20 {
            runner.say(originalsTable())
            let confirmed = try await ask(
                Prompt(
                    .question(id: "originals"),
                    text: "Are these the positions as found, before anything is changed? (no: correct one)"))
            guard confirmed == .confirmation(done: false) else { return }
            guard let (stack, bank) = try await askWhichOriginal() else { continue }
            guard let original = session.stack(stack)?.dip(bank).original else {
                runner.say("  no \(bank.label) position of \(stack) is recorded")
                continue
            }
            let kind = PromptKind.dip(stack: stack, bank: bank, pinCount: session.pinCount(bank))
            let answer = try await ask(
                Prompt(kind, text: "What is the \(bank.label) DIP position of \(stack) as found (pin 1 first)?"))
            guard let (event, eventStack) = try Self.event(for: kind, answer: answer) else { continue }
            guard answer != .dip(original.value) else {
                runner.say("  \(stack) \(bank.label) stays \(original.value): nothing to correct")
                continue
            }
            try recordCorrection(
                event, stack: eventStack, of: original.seq, reason: "corrected at the review of the originals")
        }
    }

    /// `S2 ADDR`, `s2:inv`: one registered stack and one bank, or nil after saying what is wrong.
    private func askWhichOriginal() async throws(RunError) -> (String, DIPBank)? {
        let answer = try await ask(
            Prompt(.note(id: "original"), text: "Which one is wrong? Type the stack and the bank, e.g. S2 ADDR"))
        let words = answer.description.split(whereSeparator: { $0 == " " || $0 == ":" }).map(String.init)
        let bank = words.count == 2 ? DIPBank(rawValue: words[1].lowercased()) : nil
        guard let bank, let stack = session.stacks.first(where: { $0.id.lowercased() == words[0].lowercased() })
        else {
            runner.say("  not understood: '\(answer)'; type a stack and ADDR or INV")
            return nil
        }
        return (stack.id, bank)
    }

    /// One line per stack, pin 1 first, with the legend the technician reads the switches by.
    func originalsTable() -> String {
        var lines = ["", "  Originals recorded (pin 1 first; U = up = ON, D = down = OFF):"]
        let width = max(5, session.stacks.map(\.id.count).max() ?? 0)
        func pad(_ text: String, _ count: Int) -> String {
            text + String(repeating: " ", count: max(0, count - text.count))
        }
        lines.append("    " + pad("stack", width) + "  " + pad("ADDR", 8) + "  " + pad("INV", 8) + "  firmware")
        for stack in session.stacks {
            let addr = stack.addr.original?.value.description ?? "-"
            let inv = stack.inv.original?.value.description ?? "-"
            let version = stack.versionBefore?.value ?? "-"
            lines.append("    " + pad(stack.id, width) + "  " + pad(addr, 8) + "  " + pad(inv, 8) + "  " + version)
        }
        return lines.joined(separator: "\n")
    }
}
