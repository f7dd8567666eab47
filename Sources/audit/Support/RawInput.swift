import AuditCore
import Foundation

/// Input checked as bytes before anything decodes it: Swift's `CommandLine.arguments` and `ProcessInfo`'s
/// environment replace invalid UTF-8 with U+FFFD, which would then be recorded as if it had been typed.
enum RawInput {
    /// Environment variables whose value can end up in an event.
    static let recordedVariables = ["AUDIT_ACTOR"]

    /// Refuses (exit 65) the first argument or recorded variable that is not valid UTF-8, naming it.
    static func check() throws(PresentedFailure) {
        let argv = CommandLine.unsafeArgv
        var previous: String?
        for index in 1..<Int(CommandLine.argc) {
            guard let pointer = argv[index] else { continue }
            guard let argument = String(validatingCString: pointer) else {
                let what = previous.map { $0.hasPrefix("-") ? "the value of \($0)" : nil } ?? nil
                throw PresentedFailure(
                    .invalidInput, "\(what ?? "argument \(index)") is not valid UTF-8; nothing was recorded")
            }
            previous = argument
        }
        for name in recordedVariables {
            guard let pointer = getenv(name), String(validatingCString: pointer) == nil else { continue }
            throw PresentedFailure(.invalidInput, "\(name) is not valid UTF-8; nothing was recorded")
        }
    }
}
