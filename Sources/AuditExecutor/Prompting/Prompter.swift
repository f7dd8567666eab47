import AuditCrypto

/// Asks the technician; the executor depends only on this, so terminal, answer file and simulator are interchangeable.
public protocol Prompter: Sendable {
    /// Returns an answer whose case matches `prompt.kind`, already validated.
    func ask(_ prompt: Prompt) async throws(PromptError) -> Answer
}

/// Why no answer could be had; one line each.
public enum PromptError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Standard input is not a terminal and no answer file was given: asking would hang or read garbage.
    case noTerminal(prompt: String)
    /// The terminal closed (EOF) before a valid answer.
    case endOfInput(prompt: String)
    /// The technician gave up after too many invalid answers.
    case tooManyInvalidAnswers(prompt: String, attempts: Int)
    /// Missing (66) or unreadable (74).
    case answersFileUnreadable(FileReadError)
    /// A line of the answer file is not a valid JSON answer line.
    case answersFileSyntax(path: String, line: Int, reason: String)
    /// A scripted answer does not validate for the prompt it targets.
    case invalidScriptedAnswer(path: String, line: Int, promptID: String, reason: String)
    case noScriptedAnswer(path: String, promptID: String, prompt: String)
    /// The simulated technician could not act on the simulated site.
    case simulator(String)
    /// The technician typed `back` at this prompt: the run re-asks the previous question, records the new answer as
    /// a correction, then asks this prompt again. Only the run itself sees it unless nothing can go back.
    case back(prompt: String)

    public var description: String {
        switch self {
        case .noTerminal(let prompt): "no terminal and no --answers file: cannot ask '\(prompt)'"
        case .endOfInput(let prompt): "input closed before an answer to '\(prompt)'"
        case .tooManyInvalidAnswers(let prompt, let attempts):
            "\(attempts) invalid answers in a row to '\(prompt)': giving up"
        case .answersFileUnreadable(let error): "answers file: \(error)"
        case .answersFileSyntax(let path, let line, let reason): "\(path) line \(line): \(reason)"
        case .invalidScriptedAnswer(let path, let line, let promptID, let reason):
            "\(path) line \(line): invalid answer for '\(promptID)': \(reason)"
        case .noScriptedAnswer(let path, let promptID, let prompt):
            "\(path) has no (more) answers for '\(promptID)': cannot answer '\(prompt)'"
        case .simulator(let reason): "simulated technician: \(reason)"
        case .back(let prompt): "'back' at '\(prompt)': there is no earlier answer to correct here"
        }
    }
}
