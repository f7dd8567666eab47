import ArgumentParser
import AuditCore
import AuditDomain
import AuditLog
import AuditReports
import Foundation
import Logging

@main
struct AuditCommand: AsyncParsableCommand {
    static let version = "0.9.0"

    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "A tamper-evident recorder for firmware updates of battery stacks wired in parallel.",
        version: """
            audit \(version)
            log schema \(SQLiteEventStore.schemaVersion), hash format \(SQLiteEventStore.hashFormat), \
            report format \(Report.formatVersion)
            """,
        subcommands: [
            InitCommand.self, InstallerCommand.self, AppendCommand.self, LogCommand.self, VerifyCommand.self,
            KeygenCommand.self, KeyCommand.self, CheckpointCommand.self, WitnessCommand.self,
            ReportCommand.self, VerifyReportCommand.self,
            RecordCommand.self, StatusCommand.self, CheckCommand.self, SitesCommand.self, ProcedureCommand.self,
            RunCommand.self, DemoCommand.self, SyncCommand.self, FleetCommand.self,
        ])

    /// Every failure ends as exactly one line on stderr (one JSON object with `--format json`), mapped here once.
    static func main() async {
        StandardStream.reserveClosedDescriptors()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            let level = ProcessInfo.processInfo.environment["AUDIT_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
            handler.logLevel = level ?? .warning
            return handler
        }
        do {
            try RawInput.check()
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            // A command that already said everything (e.g. `check` listing failing rules) only sets the status.
            if let exit = error as? ExitCode { Foundation.exit(exit.rawValue) }
            // Help and --version are not failures: ArgumentParser prints them.
            if exitCode(for: error) == .success { exit(withError: error) }
            let (status, message) = ErrorOutput.present(error, command: self)
            let arguments = Array(CommandLine.arguments.dropFirst())
            let line =
                ErrorOutput.wantsJSON(arguments)
                ? ErrorOutput.json(status: status, message: message) : "audit: \(message)"
            StandardStream.error.write(line + "\n")
            Foundation.exit(status.rawValue)
        }
    }
}
