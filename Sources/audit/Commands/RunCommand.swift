import ArgumentParser
import AuditDomain
import AuditExecutor
import AuditLog
import AuditReports
import AuditWitnessClient
import Foundation

extension TransportKind: ExpressibleByArgument {}

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Guide a firmware update step by step, recording every answer; resumes where the log stops.",
        discussion: "Ends with what `audit check` finds; exits 1 when a rule fails or on any error.")

    @OptionGroup var log: LogOptions
    @Option(help: "The site's name; run it again with the same name to resume.") var site: String
    @Option(help: "The firmware image file to push.") var firmware: String
    @Option(name: .customLong("target-version"), help: "The version the image installs, e.g. 4007.")
    var targetVersion: String
    @Option(help: "How pushes are made: sim, command or manual.") var transport: TransportKind = .manual
    @Option(help: "Replay answers from a JSON Lines file instead of asking at the terminal.") var answers: String?
    @Option(name: .customLong("flasher-config"), help: "With --transport command: the flasher's JSON configuration.")
    var flasherConfig: String?
    @Option(help: "The stacks of a new site, master first: S1:SERIAL1,S2:SERIAL2.") var stacks: String?
    @Option(name: .customLong("sim-stacks"), help: "With --transport sim: how many stacks the simulated site has.")
    var simStacks = 3
    @Option(name: .customLong("sim-fault"), help: "With --transport sim: inject a fault, e.g. push-fails:S2.")
    var simFaults: [String] = []
    @Option(
        help: "Who is recorded as the actor (default: the log's installer, else $AUDIT_ACTOR, else the login name).")
    var actor: String?
    @Flag(help: "Start a corrective visit on a completed site (needs --reason); the same command resumes it.")
    var reopen = false
    @Option(help: "With --reopen: why the site is visited again.") var reason: String?
    @Option(
        name: .long,
        help:
            "Private key PEM that signs the checkpoints sent to the log's witnesses (default: $AUDIT_KEY, else the key 'audit keygen' writes)."
    )
    var key: String?
    @Option(name: .customLong("witness-timeout"), help: "Seconds to wait for each witness after a step.")
    var witnessTimeout: Double = 5
    @Option(name: .customLong("stop-after-events"), help: .hidden) var stopAfterEvents: Int64?

    func validate() throws {
        if transport != .sim, !simFaults.isEmpty { throw ValidationError("--sim-fault needs --transport sim") }
        if transport != .command, flasherConfig != nil {
            throw ValidationError("--flasher-config needs --transport command")
        }
        if transport == .command, flasherConfig == nil {
            throw ValidationError("--transport command needs --flasher-config FILE")
        }
        if reopen, (reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--reopen needs --reason TEXT: why the site is visited again")
        }
        if !reopen, reason != nil { throw ValidationError("--reason needs --reopen") }
        if simStacks < 1 { throw ValidationError("--sim-stacks must be at least 1") }
        if !(witnessTimeout > 0) { throw ValidationError("--witness-timeout must be a positive number of seconds") }
    }

    func run() async throws {
        var request = RunRequest(
            site: site, logPath: log.path, imagePath: firmware, targetVersion: targetVersion,
            actor: try log.actor(actor))
        request.transport = transport
        request.answersPath = answers
        request.flasherConfigPath = flasherConfig
        request.simStacks = simStacks
        request.simFaults = simFaults
        request.stacks = stacks
        request.stopAfterEvents = stopAfterEvents
        request.reopenReason = reopen ? reason : nil
        request.witnessing = RunWitnessing(
            submitter: HTTPCheckpointSubmitter(transport: URLSessionWitnessTransport(timeout: witnessTimeout)),
            keyPath: key ?? KeyLocation.defaultPrivateKey())
        InterruptNotice.install(
            "interrupted: every answer given so far is in the log; run the same command again to resume site '\(site)'")
        let output = StandardOutputSink()
        let launcher = RunLauncher(
            output: output, outputIsTerminal: isatty(1) == 1, inputIsTerminal: isatty(0) == 1)
        let result = try await launcher.launch(request)
        output.write("\n")
        printCheck(result.check)
        if result.failed { throw ExitCode(1) }
    }
}
