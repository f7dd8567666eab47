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

    func observeVersion(_ stack: String) async throws(RunError) {
        guard case .version(let version) = try await runner.ask(Prompt(.firmwareVersion(stack: stack))) else { return }
        try session.record(.firmwareVersionObserved(VersionObserved(version: version)), stack: stack)
    }

    @discardableResult
    func observePower(_ stack: String) async throws(RunError) -> PowerState {
        guard case .power(let state) = try await runner.ask(Prompt(.powerState(stack: stack))) else { return .off }
        try session.record(.powerObserved(PowerObserved(state: state)), stack: stack)
        return state
    }

    @discardableResult
    func observeDIP(_ stack: String, _ bank: DIPBank) async throws(RunError) -> DIPPosition? {
        let prompt = Prompt(.dip(stack: stack, bank: bank, pinCount: session.pinCount(bank)))
        guard case .dip(let position) = try await runner.ask(prompt) else { return nil }
        try session.record(.dipObserved(DIPObserved(bank: bank, position: position)), stack: stack)
        return position
    }

    @discardableResult
    func observeLCD(_ stack: String) async throws(RunError) -> LCDCode {
        guard case .lcd(let text) = try await runner.ask(Prompt(.lcdCode(stack: stack))) else {
            return try! LCDCode(parsing: "BLANK")
        }
        let code: LCDCode
        do { code = try LCDCode(parsing: text.isEmpty ? "BLANK" : text) } catch { throw .domain(error) }
        try session.record(.lcdObserved(LCDObserved(code: code)), stack: stack)
        return code
    }

    /// Asks the technician to do something; a "not done" is recorded as a note, the observation after it shows the
    /// unit as it is.
    func perform(_ action: TechnicianAction) async throws(RunError) {
        guard case .confirmation(true) = try await runner.ask(Prompt(.confirmation(action))) else {
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
            if !observeOnly {
                try await perform(wanted == .plugged ? .plug(cable) : .unplug(cable))
            }
            guard case .cable(let plugged) = try await runner.ask(Prompt(.cableState(cable))) else { continue }
            let state: CableState = plugged ? .plugged : .unplugged
            let (from, to) = cable.linkAFirst
            try session.record(.cableObserved(CableObserved(from: from, to: to, state: state)))
            if state != wanted { warn("\(cable.promptKey) is \(state), the procedure expects \(wanted)") }
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
        try await perform(.setDIP(stack: stack, bank: bank, position: target))
        let seen = try await observeDIP(stack, bank)
        if let seen, seen != target {
            warn("\(stack) \(bank.label) reads \(seen), the procedure expects \(target)")
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
