import AuditDomain
import AuditLog
import Foundation

/// Performs one step's expectations: instructs, asks, and records each answer as it comes.
struct StepWalker {
    let runner: ProcedureRunner
    let session: RunSession
    let step: Procedure.Step
    /// The phase id; in `prepare` nothing is touched, only observed.
    let phase: String

    func walk() async throws(RunError) {
        let perStack = step.expects.allSatisfy { $0.eachStack == true || $0.stack != nil }
        guard perStack, step.expects.count > 1 else {
            for expectation in step.expects { try await perform(expectation, on: targets(expectation)) }
            return
        }
        // Several per-stack expectations (detect, restore switches): finish one stack before the next.
        for stack in session.stacks.map(\.id) {
            for expectation in step.expects where targets(expectation).contains(stack) {
                try await perform(expectation, on: [stack])
            }
        }
    }

    /// The stacks an expectation concerns, in the order it asks for.
    func targets(_ expectation: Expectation) -> [String] {
        let chain = session.stacks.map(\.id)
        if expectation.stack == "master" { return session.state.master.map { [$0.id] } ?? [] }
        if let stack = expectation.stack { return [stack] }
        guard expectation.eachStack == true else { return [] }
        return expectation.order == "last-slave-first" ? chain.reversed() : chain
    }

    private var observeOnly: Bool { phase == "prepare" }

    private func perform(_ expectation: Expectation, on stacks: [String]) async throws(RunError) {
        switch expectation.type {
        case EventType.firmwareVersionObserved.rawValue:
            for stack in stacks { try await observeVersion(stack) }
        case EventType.cableObserved.rawValue:
            try await cables(expectation)
        case EventType.dipObserved.rawValue:
            for stack in stacks { try await dip(expectation, stack: stack) }
        case EventType.lcdObserved.rawValue:
            for stack in stacks { try await lcdSequence(expectation.sequence ?? [], stack: stack) }
        case EventType.powerObserved.rawValue:
            try await power(expectation, stacks: stacks)
        case EventType.pushStarted.rawValue:
            for stack in stacks { try await PushDriver(walker: self).push(stack) }
        case EventType.pushCompleted.rawValue:
            break  // Recorded by the push itself, with the version read back.
        default:
            runner.say("  (this audit does not know how to ask for '\(expectation.type)'; skipped)")
        }
    }

    // MARK: Observations

    /// Asks; `back` here re-asks the previous observation and records its correction, then asks this prompt again.
    func ask(_ prompt: Prompt) async throws(RunError) -> Answer {
        while true {
            do {
                return try await runner.prompter.ask(prompt)
            } catch {
                guard case .back = error else { throw .prompt(error) }
                try await correctPrevious()
            }
        }
    }

    /// Asks an observation, records it, and remembers it so `back` at the next prompt can correct it.
    @discardableResult
    func observe(_ prompt: Prompt) async throws(RunError) -> Answer {
        let answer = try await ask(prompt)
        guard let (event, stack) = try Self.event(for: prompt.kind, answer: answer) else { return answer }
        let seq = try session.record(event, stack: stack)
        session.lastAnswered = RunSession.Answered(prompt: Prompt(prompt.kind), corrects: seq, stack: stack)
        return answer
    }

    /// `back`: the previous observation asked again, its new answer recorded as a correction of it.
    private func correctPrevious() async throws(RunError) {
        guard let last = session.lastAnswered else {
            runner.say("  nothing to go back to: no answer of this run is recorded yet")
            return
        }
        let prompt = Prompt(last.prompt.kind, text: "Correct the previous answer: \(last.prompt.text)")
        var answer: Answer?
        while answer == nil {
            do {
                answer = try await runner.prompter.ask(prompt)
            } catch {
                guard case .back = error else { throw .prompt(error) }
                runner.say("  one answer back only: answer this question")
            }
        }
        guard let answer, let (event, stack) = try Self.event(for: last.prompt.kind, answer: answer) else { return }
        try recordCorrection(event, stack: stack, of: last.corrects, reason: "corrected at the prompt with 'back'")
        session.corrected[last.corrects] = answer
    }

    func recordCorrection(_ event: DomainEvent, stack: String?, of seq: Int64, reason: String) throws(RunError) {
        let correction = try session.record(
            event, stack: stack, correcting: CorrectionMark(corrects: seq, reason: reason))
        runner.say("  recorded as a correction of event \(seq) (event \(correction)); now asking again")
    }

    /// The observation an answer records; nil for answers that are not observations (confirmations, questions).
    static func event(for kind: PromptKind, answer: Answer) throws(RunError) -> (DomainEvent, String?)? {
        switch (kind, answer) {
        case (.powerState(let stack), .power(let state)): return (.powerObserved(PowerObserved(state: state)), stack)
        case (.dip(let stack, let bank, _), .dip(let position)):
            return (.dipObserved(DIPObserved(bank: bank, position: position)), stack)
        case (.lcdCode(let stack), .lcd(let text)):
            do {
                return (.lcdObserved(LCDObserved(code: try LCDCode(parsing: text.isEmpty ? "BLANK" : text))), stack)
            } catch { throw .domain(error) }
        case (.cableState(let cable), .cable(let plugged)):
            let (from, to) = cable.linkAFirst
            return (.cableObserved(CableObserved(from: from, to: to, state: plugged ? .plugged : .unplugged)), nil)
        case (.firmwareVersion(let stack), .version(let version)):
            return (.firmwareVersionObserved(VersionObserved(version: version)), stack)
        default: return nil
        }
    }

    func observeVersion(_ stack: String) async throws(RunError) {
        try await observe(Prompt(.firmwareVersion(stack: stack)))
    }

    /// The power state, after `action` when given (one prompt: the state seen shows the action was done).
    @discardableResult
    func observePower(_ stack: String, after action: TechnicianAction? = nil) async throws(RunError) -> PowerState {
        let kind = PromptKind.powerState(stack: stack)
        guard case .power(let state) = try await observe(action.map { Prompt(kind, after: $0) } ?? Prompt(kind))
        else { return .off }
        return state
    }

    @discardableResult
    func observeDIP(
        _ stack: String, _ bank: DIPBank, after action: TechnicianAction? = nil
    ) async throws(RunError) -> DIPPosition? {
        let kind = PromptKind.dip(stack: stack, bank: bank, pinCount: session.pinCount(bank))
        guard case .dip(let position) = try await observe(action.map { Prompt(kind, after: $0) } ?? Prompt(kind))
        else { return nil }
        return position
    }

    @discardableResult
    func observeLCD(_ stack: String, text: String? = nil) async throws(RunError) -> LCDCode {
        let answer = try await observe(Prompt(.lcdCode(stack: stack), text: text))
        var text = ""
        if case .lcd(let code) = answer { text = code }
        do { return try LCDCode(parsing: text.isEmpty ? "BLANK" : text) } catch { throw .domain(error) }
    }

    /// Asks for the observation an action should produce until it shows what the procedure expects or the
    /// technician keeps the deviation; every observation stays in the log, and a fix on the spot is noted.
    @discardableResult
    func observeExpecting(
        _ prompt: Prompt, expected: Answer, deviation: (Answer) -> String
    ) async throws(RunError) -> Answer {
        var answer = try await observe(prompt)
        var found: [String] = []
        while answer != expected, found.count < runner.settings.maxFixesOnTheSpot {
            let text = deviation(answer)
            let seq = session.lastAnswered?.corrects ?? 0
            // `back` at the fix question corrects the deviating answer itself (a typo): the corrected one stands.
            guard try await offerFix(text, id: prompt.id) else { return session.corrected[seq] ?? answer }
            found.append("\(text) (event \(session.lastAnswered?.corrects ?? 0))")
            answer = try await observe(prompt)
        }
        if !found.isEmpty, answer == expected {
            let seq = session.lastAnswered?.corrects ?? 0
            let note = "fixed on site: \(found.joined(separator: "; ")); then \(answer) as expected (event \(seq))"
            try session.record(.noteAdded(NoteAdded(text: note)))
            runner.say("  fixed: \(prompt.id) now reads \(answer)")
        }
        return answer
    }

    /// Says what deviates and offers to fix it now; true when the technician fixed it and is to be asked again.
    func offerFix(_ deviation: String, id: String) async throws(RunError) -> Bool {
        warn(deviation)
        let prompt = Prompt(
            .question(id: "fix:\(id)"),
            text: "Fix it now and check again? (yes: you fix it and answer again; no: keep it as recorded)")
        return try await ask(prompt) == .confirmation(done: true)
    }

    /// Asks the technician to do something that no observation shows; a "not done" is recorded as a note.
    func perform(_ action: TechnicianAction) async throws(RunError) {
        guard case .confirmation(true) = try await ask(Prompt(.confirmation(action))) else {
            runner.say("  not done: the next observation records the unit as it is")
            try session.record(.noteAdded(NoteAdded(text: "not done: \(action)")))
            return
        }
    }

    func warn(_ text: String) { runner.say("  ! \(text)") }

    // MARK: Cables

    private func cables(_ expectation: Expectation) async throws(RunError) {
        let wanted = CableState(rawValue: expectation.state ?? "") ?? .plugged
        for cable in topology() {
            let expected = Answer.cable(plugged: wanted == .plugged)
            guard !observeOnly else {
                // As found: a cable not plugged is the site's wiring, not a deviation to fix.
                let seen = try await observe(Prompt(.cableState(cable)))
                if seen != expected { warn("\(cable.promptKey) is \(seen), the procedure expects \(wanted)") }
                continue
            }
            let action: TechnicianAction = wanted == .plugged ? .plug(cable) : .unplug(cable)
            try await observeExpecting(Prompt(.cableState(cable), after: action), expected: expected) {
                "\(cable.promptKey) is \($0), the procedure expects \(wanted)"
            }
        }
    }

    /// The daisy chain of the registered stacks while recording the site as found (a resumed record must ask about
    /// every cable again), afterwards the cables recorded as found.
    private func topology() -> [CableEdge] {
        guard !observeOnly else { return CableEdge.chain(session.stacks.map(\.id)) }
        // Link A to Link B only, as found: a cable between two ports of one letter is not the procedure's wiring.
        let recorded = session.state.originalLinks.keys.sorted().filter { $0.first.port != $0.second.port }
        return recorded.isEmpty ? CableEdge.chain(session.stacks.map(\.id)) : recorded
    }

    // MARK: DIP switches

    private func dip(_ expectation: Expectation, stack: String) async throws(RunError) {
        let bank = DIPBank(rawValue: expectation.bank ?? "") ?? .addr
        let position = expectation.position ?? "record"
        if position == "record" || observeOnly {
            try await observeDIP(stack, bank)
            return
        }
        guard let target = target(position, bank: bank, stack: stack) else {
            warn("no \(position) \(bank.label) position of \(stack) is recorded: recording it as found")
            try await observeDIP(stack, bank)
            return
        }
        try await setDIP(stack, bank, to: target)
    }

    /// Has a bank set and observed in one prompt; a wrong position is said and may be fixed on the spot.
    func setDIP(_ stack: String, _ bank: DIPBank, to target: DIPPosition) async throws(RunError) {
        let prompt = Prompt(
            .dip(stack: stack, bank: bank, pinCount: session.pinCount(bank)),
            after: .setDIP(stack: stack, bank: bank, position: target))
        try await observeExpecting(prompt, expected: .dip(target)) {
            "\(stack) \(bank.label) reads \($0), the procedure expects \(target)"
        }
    }

    /// A literal (`UDDDDD`, fitted to the model's pin count), `original`, or `previous` (the last position that
    /// was not the detection setting, so a resumed step still finds it).
    func target(_ position: String, bank: DIPBank, stack: String) -> DIPPosition? {
        let pins = session.pinCount(bank)
        let track = session.stack(stack)?.dip(bank)
        switch position {
        case "original": return track?.original?.value
        case "previous":
            let detection = DIPPosition.detection(pins: pins)
            if let now = track?.now?.value, now != detection { return now }
            return track?.previous?.value ?? track?.original?.value
        default:
            guard let literal = try? DIPPosition(parsing: position) else { return nil }
            guard literal.pins != pins else { return literal }
            return DIPPosition(up: (1...pins).map { $0 == 1 ? literal.isUp(pin: 1) : literal.isUp(pin: 2) })
        }
    }
}
