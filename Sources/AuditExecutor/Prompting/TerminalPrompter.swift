import AuditCore
import Foundation

/// A source of typed lines, injected so the terminal prompter can be tested without a terminal.
public protocol LineReader: Sendable {
    /// The next line without its newline, or nil at end of input.
    func readLine() -> String?
}

public struct StandardInputReader: LineReader {
    public init() {}

    public func readLine() -> String? { Swift.readLine(strippingNewline: true) }
}

/// The words every prompt understands besides its answers; never recorded.
enum PromptCommand: Equatable {
    /// Correct the previous answer.
    case back
    /// Show what the prompt expects.
    case help

    init?(_ line: String) {
        switch line.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() {
        case "back": self = .back
        case "help", "?": self = .help
        default: return nil
        }
    }
}

/// Asks on a terminal and re-asks on invalid input; refuses outright without a TTY so unattended runs never hang.
public struct TerminalPrompter: Prompter {
    private let input: any LineReader
    private let output: any TextSink
    private let isTerminal: Bool
    private let maxAttempts: Int

    /// `isTerminal` defaults to `isatty(0)`; pass it explicitly only in tests.
    public init(
        input: any LineReader = StandardInputReader(), output: any TextSink = StandardErrorSink(),
        isTerminal: Bool = isatty(0) == 1, maxAttempts: Int = 5
    ) {
        self.input = input
        self.output = output
        self.isTerminal = isTerminal
        self.maxAttempts = max(1, maxAttempts)
    }

    public func ask(_ prompt: Prompt) async throws(PromptError) -> Answer {
        guard isTerminal else { throw .noTerminal(prompt: prompt.text) }
        var attempts = 0
        while attempts < maxAttempts {
            output.write("\(prompt.text) [\(prompt.expected)] > ".escapingControls)
            guard let line = await readLineOffThePool() else {
                output.write("\n")
                throw .endOfInput(prompt: prompt.text)
            }
            switch PromptCommand(line) {
            case .back: throw .back(prompt: prompt.text)
            case .help:
                output.write(prompt.help + "\n")
                continue
            case nil: attempts += 1
            }
            do {
                return try prompt.kind.parse(line)
            } catch {
                output.write("  not accepted: \(error)".escapingControls + "\n")
            }
        }
        throw .tooManyInvalidAnswers(prompt: prompt.text, attempts: maxAttempts)
    }

    /// A technician may take minutes to answer: block a thread of our own, not one of the few concurrency threads.
    private func readLineOffThePool() async -> String? {
        let input = input
        return await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: input.readLine()) }.start()
        }
    }
}
