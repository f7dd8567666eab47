import ArgumentParser
import Foundation
import Logging

@main
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "A tamper-evident recorder for firmware updates of battery stacks wired in parallel.",
        subcommands: [
            InitCommand.self, AppendCommand.self, LogCommand.self, VerifyCommand.self, KeygenCommand.self,
            ReportCommand.self, VerifyReportCommand.self,
            RecordCommand.self, StatusCommand.self, CheckCommand.self, RunCommand.self, DemoCommand.self,
        ])

    /// Every failure ends as exactly one line on stderr, so scripts and technicians see one reason.
    static func main() async {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            let level = ProcessInfo.processInfo.environment["AUDIT_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
            handler.logLevel = level ?? .warning
            return handler
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            // A command that already said everything (e.g. `check` listing failing rules) only sets the status.
            if let exit = error as? ExitCode { Foundation.exit(exit.rawValue) }
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            if let failure = error as? CommandFailure {
                FileHandle.standardError.write(Data("audit: \(failure.message)\n".utf8))
                Foundation.exit(failure.code)
            }
            let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            FileHandle.standardError.write(Data("audit: \(message)\n".utf8))
            Foundation.exit(code.rawValue)
        }
    }
}
