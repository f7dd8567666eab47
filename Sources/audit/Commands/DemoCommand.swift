import ArgumentParser
import AuditExecutor
import AuditLog
import Foundation

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a complete simulated site visit into a new log (or --db), then print what the check finds.",
        discussion: """
            Faults: push-fails, push-stalls, stale-version, skip-dip-restore, wrong-power-order, power-cut-mid-push \
            (on the last stack unless written NAME:STACK). Ends with what `audit check` finds; exits 1 when a rule \
            fails or on any error. Without --db the log and its fake image go into a new temporary folder, never \
            into $AUDIT_DB or the default log: a simulation is never a visit.
            """)

    @OptionGroup var log: LogOptions
    @Option(help: "The simulated site's name.") var site = "demo"
    @Option(help: "How many stacks the site has.") var stacks = 3
    @Option(help: "Inject a fault (repeatable).") var fault: [String] = []
    @Flag(help: "Print every step, prompt answer and push as it happens.") var verbose = false
    @Option(name: .customLong("stop-after-events"), help: .hidden) var stopAfterEvents: Int64?

    func run() async throws {
        let output = StandardOutputSink()
        let launcher = RunLauncher(
            output: verbose ? output : NullSink(), outputIsTerminal: isatty(1) == 1, inputIsTerminal: false)
        // Who, before any folder is made: the installer of a --db log, else the environment, else the simulator.
        let actor: String
        do {
            actor =
                try log.db.map { try LogOptions.actor(nil, logPath: $0) }
                ?? LogLocation.resolveActor(explicit: nil, installer: nil)
        } catch ActorError.none {
            actor = DemoLauncher.simulatedActor
        }
        // Only --db names a log for a demo; without it, a new folder (never $AUDIT_DB or the default log).
        let logPath = try log.db ?? DemoLauncher.freshLogPath()
        output.write("log: \(logPath)\n")
        let result = try await DemoLauncher(launcher: launcher).run(
            logPath: logPath, site: site, stacks: stacks, faults: fault, actor: actor,
            stopAfterEvents: stopAfterEvents)
        let faults = fault.isEmpty ? "none" : fault.joined(separator: ", ")
        output.write(
            "site: \(site), \(counted(stacks, "stack")), fault: \(faults), \(counted(result.state.eventCount, "event"))\n"
        )
        for note in DemoLauncher.pushNotes(result.state) { output.write("note: \(note)\n") }
        printCheck(result.check)
        if result.failed { throw ExitCode(1) }
    }
}
