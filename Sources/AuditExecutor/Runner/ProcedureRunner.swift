import AuditCore
import AuditDomain
import AuditLog
import Foundation
import Logging

/// What a finished run leaves: the findings of every rule, failing first.
public struct RunResult: Sendable {
    public var findings: [Finding]
    /// The site as the log now shows it.
    public var state: SiteState

    public var failed: Bool { findings.contains { $0.verdict == .fail } }

    /// What `audit check` prints for the site now.
    public var check: SiteCheck { SiteCheck(site: state.site, findings: findings) }

    public init(findings: [Finding], state: SiteState) {
        self.findings = findings
        self.state = state
    }
}

/// Walks the procedure file step by step: says what to do, asks what was observed, records every answer before
/// moving on, and resumes from the log alone after any interruption.
public struct ProcedureRunner: Sendable {
    public let settings: RunSettings
    let store: any EventStore
    let prompter: any Prompter
    let transport: any FirmwareTransport
    let registration: SiteRegistration
    let clock: any AuditClock
    let sleeper: any Sleeper
    let output: any TextSink
    let outputIsTerminal: Bool
    let logger: Logger
    /// Told after each `step.completed` is recorded, so the log's checkpoint goes to its witnesses meanwhile.
    public var witness: CheckpointWitness?

    public init(
        settings: RunSettings, store: any EventStore, prompter: any Prompter, transport: any FirmwareTransport,
        registration: SiteRegistration, clock: any AuditClock, sleeper: any Sleeper, output: any TextSink,
        outputIsTerminal: Bool = false, logger: Logger = Logger(label: "audit.runner")
    ) {
        self.settings = settings
        self.store = store
        self.prompter = prompter
        self.transport = transport
        self.registration = registration
        self.clock = clock
        self.sleeper = sleeper
        self.output = output
        self.outputIsTerminal = outputIsTerminal
        self.logger = logger
    }

    /// Runs (or resumes) the procedure to its end and evaluates the rules.
    public func run() async throws(RunError) -> RunResult {
        let session = try RunSession(settings: settings, store: store, clock: clock)
        if let aborted = session.state.aborted { throw .aborted(site: settings.site, reason: aborted.value) }
        if settings.reopenReason != nil, session.state.completedSeq == nil {
            throw .notReopenable(site: settings.site)
        }
        if session.state.isClosed, settings.reopenReason == nil, settings.refusesCompletedSite,
            let completed = session.state.completedSeq
        {
            throw .alreadyCompleted(site: settings.site, seq: completed)
        }
        if session.state.isClosed, settings.reopenReason == nil {
            let completed = session.state.completedSeq.map { " (event \($0))" } ?? ""
            say("Site '\(settings.site)' is complete\(completed): nothing left to do; its check follows.")
            say(
                "To start a corrective visit: the same command with --reopen --reason TEXT "
                    + "(e.g. audit run --site \(settings.site) ... --reopen --reason \"ADDR of S2 found wrong\").")
            return RunResult(findings: Rules.evaluate(session.state), state: session.state)
        }
        let resuming = session.state.eventCount > 0
        if resuming, !session.state.isClosed {
            say("Resuming site '\(settings.site)' from the log (\(session.state.eventCount) events).")
        }
        try await register(session)
        try start(session)
        if session.state.isClosed, let reason = settings.reopenReason {
            try session.record(.procedureReopened(ProcedureReopened(reason: reason)))
            say("Reopened site '\(settings.site)' for a corrective visit (\(reason)): the procedure starts again.")
        }
        let steps = settings.procedure.steps
        // Only this visit's steps count: a reopened visit walks the procedure again from its first step.
        let visitStart = session.state.visitStartSeq ?? 0
        let done = Set(session.state.stepsCompleted.filter { $0.seq > visitStart }.map(\.value))
        let first = steps.firstIndex { !done.contains($0.id) } ?? steps.count
        for (index, step) in steps.enumerated().dropFirst(first) {
            let phase = settings.procedure.phase(ofStep: step.id)
            say("")
            say("Step \(index + 1)/\(steps.count) [\(phase?.title ?? "?")] \(step.title)")
            say("  \(step.instruction)")
            let walker = StepWalker(runner: self, session: session, step: step, phase: phase?.id ?? "")
            try await walker.walk()
            if phase?.id == "prepare" { try await walker.confirmOriginals() }
            if step.expects.contains(where: { $0.type == EventType.lcdObserved.rawValue }) {
                try await walker.rereadErrors()
            }
            try session.record(.stepCompleted(StepCompleted(step: step.id)))
            witness?.stepCompleted()
            logger.debug("step completed", metadata: ["step": "\(step.id)"])
        }
        try session.record(.procedureCompleted)
        let findings = Rules.evaluate(session.state)
        return RunResult(findings: findings, state: session.state)
    }

    /// One line of narration; names and codes from the log are shown escaped (`escapingControls`).
    func say(_ line: String) { output.write(line.escapingControls + "\n") }

    /// Asks outside any step (the stack list): nothing is recorded yet that `back` could correct.
    func ask(_ prompt: Prompt) async throws(RunError) -> Answer {
        while true {
            do {
                return try await prompter.ask(prompt)
            } catch {
                guard case .back = error else { throw .prompt(error) }
                say("  nothing to go back to: no answer of this run is recorded yet")
            }
        }
    }

    /// `site.registered` once per site: from the simulator or `--stacks`, else asked of the technician.
    private func register(_ session: RunSession) async throws(RunError) {
        guard session.state.registeredSeq == nil else {
            guard !session.stacks.isEmpty else { throw .noStacks(site: settings.site) }
            return
        }
        let payload: SiteRegistered
        switch registration {
        case .known(let known): payload = known
        case .ask(let model):
            payload = SiteRegistered(model: model, stacks: try await askStacks())
        }
        try session.record(.siteRegistered(payload))
        say(
            "Registered site '\(settings.site)': "
                + payload.stacks.map { "\($0.id) (\($0.serial))" }.joined(separator: ", "))
    }

    private func askStacks() async throws(RunError) -> [StackIdentity] {
        let prompt = Prompt(
            .note(id: "stacks"),
            text: "List the stacks, master first, as ID:SERIAL separated by commas (e.g. S1:BMS1001,S2:BMS1002)")
        var lastError: DomainError?
        for _ in 0..<5 {
            let answer = try await ask(prompt).description
            do throws(DomainError) {
                return try StackIdentity.list(parsing: answer)
            } catch {
                say("  not accepted: \(error)")
                lastError = error
            }
        }
        throw lastError.map(RunError.domain) ?? .invalidStacks("no answer")
    }

    /// `procedure.started` once; a resume must bring the same image and target.
    private func start(_ session: RunSession) throws(RunError) {
        let digest = settings.image.sha256.hex
        guard let started = session.state.procedure?.value else {
            try session.record(
                .procedureStarted(
                    ProcedureStarted(
                        procedureID: settings.procedure.id, procedureVersion: settings.procedure.version,
                        targetVersion: settings.targetVersion, imageSHA256: digest, imageName: settings.image.name,
                        transport: settings.transport, deviceModel: session.state.model?.name,
                        installer: settings.installer?.name, company: settings.installer?.company)))
            say(
                "Started \(settings.procedure.id) \(settings.procedure.version): target \(settings.targetVersion), "
                    + "image \(settings.image.name) sha256 \(digest)")
            return
        }
        if started.imageSHA256 != digest {
            throw .mismatchedResume(
                site: settings.site, field: "image sha256", recorded: started.imageSHA256, given: digest)
        }
        if started.targetVersion != settings.targetVersion {
            throw .mismatchedResume(
                site: settings.site, field: "target version", recorded: started.targetVersion,
                given: settings.targetVersion)
        }
    }
}
