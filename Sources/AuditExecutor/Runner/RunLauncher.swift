import AuditCore
import AuditCrypto
import AuditDomain
import AuditLog
import Foundation
import Logging

/// How pushes are made: the domain's word, which `procedure.started` records.
public typealias TransportKind = PushTransport

/// Everything `audit run` and `audit demo` are given, before any file is touched.
public struct RunRequest: Sendable {
    public var site: String
    public var logPath: String
    public var imagePath: String
    public var targetVersion: String
    public var transport: TransportKind = .manual
    public var answersPath: String?
    public var flasherConfigPath: String?
    public var simStacks = 3
    public var simFaults: [String] = []
    /// `S1:SERIAL1,S2:SERIAL2`, for a site not registered yet.
    public var stacks: String?
    public var actor: String
    /// `--reopen --reason TEXT`: start a corrective visit on a completed site (the same command resumes it).
    public var reopenReason: String?
    /// `audit demo`: refuse a completed site rather than show its check.
    public var refusesCompletedSite = false
    /// Test hook: SIGKILL the process once the log holds this many events.
    public var stopAfterEvents: Int64?
    /// `audit run`: submit the log's checkpoint to its witnesses after each step, when any is configured.
    public var witnessing: RunWitnessing?

    public init(site: String, logPath: String, imagePath: String, targetVersion: String, actor: String) {
        self.site = site
        self.logPath = logPath
        self.imagePath = imagePath
        self.targetVersion = targetVersion
        self.actor = actor
    }
}

/// Wires a run from a request: the log (created if missing), the image digest, the prompter and the transport.
public struct RunLauncher: Sendable {
    public var output: any TextSink
    public var outputIsTerminal: Bool
    public var inputIsTerminal: Bool
    public var clock: any AuditClock
    public var logger: Logger

    public init(
        output: any TextSink, outputIsTerminal: Bool, inputIsTerminal: Bool, clock: any AuditClock = SystemClock(),
        logger: Logger = Logger(label: "audit.run")
    ) {
        self.output = output
        self.outputIsTerminal = outputIsTerminal
        self.inputIsTerminal = inputIsTerminal
        self.clock = clock
        self.logger = logger
    }

    public func launch(_ request: RunRequest) async throws(RunError) -> RunResult {
        let image = try FirmwareImage.read(path: request.imagePath)
        var stackList: [StackIdentity]?
        if let stacks = request.stacks {
            do { stackList = try StackIdentity.list(parsing: stacks) } catch { throw .invalidStacks(error.description) }
        }
        let faults = try Self.faults(request)
        // Refuse before touching the log: an unattended run without answers would hang or record half a step.
        if request.transport != .sim, request.answersPath == nil, !inputIsTerminal { throw .noTerminal }
        // Answers and flasher configuration are read now too: a missing or bad file must leave no log behind.
        let person = request.transport == .sim ? nil : try makePrompter(request)
        let flasher = request.transport == .command ? try commandTransport(request) : nil
        let procedure: Procedure
        do { procedure = try Procedure.load(id: "stacks-in-parallel") } catch { throw .domain(error) }
        let store = try Self.openOrCreate(request.logPath)
        let runStore: any EventStore = request.stopAfterEvents.map { StopAfterEventsStore(store, limit: $0) } ?? store
        var settings = RunSettings(
            site: request.site, procedure: procedure, image: image, targetVersion: request.targetVersion,
            actor: request.actor, transport: request.transport)
        settings.reopenReason = request.reopenReason
        // The log's installer, when set, is who did the work: procedure.started carries it into the chain.
        do { settings.installer = try store.installer() } catch { throw .log(error) }
        settings.refusesCompletedSite = request.refusesCompletedSite
        var runner: ProcedureRunner
        switch request.transport {
        case .sim:
            let events: [LoggedEvent]
            do { events = try store.events(site: request.site) } catch { throw .log(error) }
            let simulation: Simulation
            do {
                simulation = try Simulation(
                    configuration: SiteConfiguration(name: request.site, stackCount: request.simStacks, faults: faults),
                    stateFile: SimulatedSite.stateFileURL(logPath: request.logPath, siteName: request.site),
                    start: Simulation.startTime(after: events, now: clock.now()), resume: !events.isEmpty,
                    logger: logger)
            } catch {
                throw .simulator(error)
            }
            settings.transport = .sim
            // A simulation skips its pauses, so its observed times run ahead of the wall clock: the log records
            // them on the simulation's clock, or the store would refuse them as times in the future.
            let simStore = try Self.openOrCreate(request.logPath, clock: simulation.clock)
            let simRunStore: any EventStore =
                request.stopAfterEvents.map { StopAfterEventsStore(simStore, limit: $0) } ?? simStore
            runner = ProcedureRunner(
                settings: settings, store: simRunStore,
                prompter: EchoingPrompter(simulation.technician, output: output),
                transport: simulation.transport,
                registration: .known(simulation.registration), clock: simulation.clock, sleeper: simulation.sleeper,
                output: output, outputIsTerminal: outputIsTerminal, logger: logger)
        case .manual, .command:
            // A person reads the display when it changes: no need to wait between two readings.
            settings.lcdPollMilliseconds = 0
            let prompter = person ?? TerminalPrompter(output: output, isTerminal: inputIsTerminal)
            let transport: any FirmwareTransport = flasher ?? ManualTransport(prompter: prompter, clock: clock)
            let model = DeviceModel(name: "BMS", addrPins: 6, invPins: 6)
            let registration: SiteRegistration =
                stackList.map { .known(SiteRegistered(model: model, stacks: $0)) } ?? .ask(model: model)
            runner = ProcedureRunner(
                settings: settings, store: runStore, prompter: prompter, transport: transport,
                registration: registration, clock: clock, sleeper: TaskSleeper(), output: output,
                outputIsTerminal: outputIsTerminal, logger: logger)
        }
        let witness = try witness(request)
        runner.witness = witness
        do { _ = try await runner.run() } catch {
            witness?.cancel()
            throw error
        }
        if let witness, let line = await witness.finish(within: request.witnessing?.endWait ?? .zero) {
            output.write(line.escapingControls + "\n")
        }
        // The check is read back from the log, as `audit check` reads it, not from the run's memory.
        let events: [LoggedEvent]
        do { events = try store.events(site: request.site) } catch { throw .log(error) }
        let state: SiteState
        do { state = try SiteProjection.rebuild(site: request.site, events: events) } catch { throw .domain(error) }
        return RunResult(findings: Rules.evaluate(state), state: state)
    }

    /// The run's witnessing, when witnesses are configured: nil (and at most one notice line) otherwise.
    ///
    /// Its own connection to the log: WAL lets its leaf reads run beside the run's appends, and both write under
    /// BEGIN IMMEDIATE with a busy timeout, so a cosignature stored mid-run never fails an append or the reverse.
    private func witness(_ request: RunRequest) throws(RunError) -> CheckpointWitness? {
        guard let witnessing = request.witnessing else { return nil }
        let store = try Self.openOrCreate(request.logPath)
        let witnesses: [LogWitness]
        do { witnesses = try store.witnesses() } catch { throw .log(error) }
        guard !witnesses.isEmpty else { return nil }
        let key: Ed25519PrivateKey
        do { key = try KeyFiles.loadPrivateKey(at: URL(fileURLWithPath: witnessing.keyPath)) } catch {
            output.write(
                "checkpoints will not be witnessed: the signing key cannot be read (\(error.message)); "
                    + "give --key PEM, then `audit witness submit` catches up\n")
            return nil
        }
        return CheckpointWitness(submitter: witnessing.submitter, store: store, key: key, notices: output)
    }

    private func makePrompter(_ request: RunRequest) throws(RunError) -> any Prompter {
        guard let path = request.answersPath else {
            return TerminalPrompter(output: output, isTerminal: inputIsTerminal)
        }
        do { return EchoingPrompter(try ScriptedPrompter(path: path), output: output) } catch { throw .prompt(error) }
    }

    private func commandTransport(_ request: RunRequest) throws(RunError) -> CommandTransport {
        guard let path = request.flasherConfigPath else { throw .noFlasherConfig }
        let text: String
        do { text = try TextFile.read(path) } catch { throw .flasherConfigUnreadable(error) }
        do {
            let json = try JSONValue(parsing: text)
            return CommandTransport(
                configuration: try CommandTransport.Configuration(json: json), clock: clock, logger: logger)
        } catch {
            throw .flasherConfig(path: path, reason: "\(error)")
        }
    }

    /// The `--sim-fault` values, parsed before anything is written so a typo leaves no log or image behind.
    static func faults(_ request: RunRequest) throws(RunError) -> [SimFault] {
        var faults: [SimFault] = []
        for text in request.simFaults {
            do { faults.append(try Simulation.fault(parsing: text, stackCount: request.simStacks)) } catch {
                throw .simulator(error)
            }
        }
        return faults
    }

    /// Opens the log, or creates it: a technician on site should not need a separate `audit init`.
    public static func openOrCreate(
        _ path: String, clock: any AuditClock = SystemClock()
    ) throws(RunError) -> SQLiteEventStore {
        do {
            if FileManager.default.fileExists(atPath: path) { return try SQLiteEventStore.open(at: path, clock: clock) }
            return try SQLiteEventStore.create(at: path, clock: clock)
        } catch {
            throw .log(error)
        }
    }
}
