import ArgumentParser
import AuditCore
import AuditLog
import Foundation

/// How a failure ends the process: every error is mapped here, once.
enum ErrorOutput {
    /// The status and one-line message for any error that reaches `main`.
    static func present(_ error: any Error, command: any ParsableCommand.Type) -> (status: SysExit, message: String) {
        if let failure = error as? any AuditFailure { return (failure.exitStatus, oneLineMessage(failure)) }
        let code = command.exitCode(for: error)
        // ArgumentParser's own failures: unknown flags, missing options, values of the wrong type, validate().
        if code == .validationFailure {
            // The brief message only (no usage screen); a value holding a newline is escaped with it, never cut.
            let text = command.message(for: error)
            return (.usage, oneLineMessage(PresentedFailure(.usage, text.isEmpty ? "\(error)" : text)))
        }
        return (.internalError, oneLineMessage(error))
    }

    /// True when the command line asks for JSON output anywhere, so a failure is reported in JSON too.
    static func wantsJSON(_ arguments: [String]) -> Bool {
        arguments.indices.contains { index in
            arguments[index] == "--format=json"
                || (arguments[index] == "--format" && index + 1 < arguments.count && arguments[index + 1] == "json")
        }
    }

    /// `{"error": {"exit": N, "kind": "...", "message": "..."}}`, canonical, on one line.
    static func json(status: SysExit, message: String) -> String {
        let object: JSONValue = [
            "error": [
                "exit": .integer(Int64(status.rawValue)), "kind": .string(status.kind), "message": .string(message),
            ]
        ]
        return object.canonicalText
    }
}
