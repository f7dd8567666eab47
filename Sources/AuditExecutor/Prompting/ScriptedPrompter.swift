import AuditLog
import Foundation

/// Answers from a file so unattended runs (CI, demos, replays) need no terminal.
///
/// Format: JSON lines, one answer per line: `{"prompt_id": "lcd:S1", "answer": "62"}`. Blank lines and lines
/// starting with `#` are ignored. `answer` is a string, an integer (read as its decimal text) or a boolean
/// (`true` = yes/done/plugged). Answers for one prompt id are used in file order, so a prompt asked twice
/// (`lcd:S1` shows `62`, then `3`) takes two lines. Answers are validated when used, and errors name the line.
/// An answer `back` does what it does at a terminal: the previous question is asked again (its id takes the next
/// line of its own) and its new answer recorded as a correction.
public final class ScriptedPrompter: Prompter, @unchecked Sendable {
    public struct Entry: Sendable, Equatable {
        public var line: Int
        public var promptID: String
        public var answer: String
    }

    public let path: String
    private let lock = NSLock()
    private var queues: [String: [Entry]]

    public convenience init(path: String) throws(PromptError) {
        let text: String
        do { text = try TextFile.read(path) } catch { throw .answersFileUnreadable(error) }
        try self.init(text: text, path: path)
    }

    /// `path` only names the source in error messages.
    public init(text: String, path: String = "<answers>") throws(PromptError) {
        self.path = path
        var queues: [String: [Entry]] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let entry = try Self.entry(line, number: index + 1, path: path)
            queues[entry.promptID, default: []].append(entry)
        }
        self.queues = queues
    }

    public func ask(_ prompt: Prompt) async throws(PromptError) -> Answer {
        let entry: Entry? = lock.withLock {
            guard var queue = queues[prompt.id], !queue.isEmpty else { return nil }
            let first = queue.removeFirst()
            queues[prompt.id] = queue
            return first
        }
        guard let entry else { throw .noScriptedAnswer(path: path, promptID: prompt.id, prompt: prompt.text) }
        if case .back = PromptCommand(entry.answer) { throw .back(prompt: prompt.text) }
        do {
            return try prompt.kind.parse(entry.answer)
        } catch {
            throw .invalidScriptedAnswer(path: path, line: entry.line, promptID: prompt.id, reason: error.description)
        }
    }

    /// Answers never asked for, in file order: a run that leaves some may have skipped a step.
    public var unusedEntries: [Entry] {
        lock.withLock { queues.values.flatMap { $0 }.sorted { $0.line < $1.line } }
    }

    private static func entry(_ line: String, number: Int, path: String) throws(PromptError) -> Entry {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: line)
        } catch {
            throw .answersFileSyntax(path: path, line: number, reason: "not JSON: \(error)")
        }
        guard case .object(let members) = value else {
            throw .answersFileSyntax(path: path, line: number, reason: "expected a JSON object")
        }
        let unknown = Set(members.keys).subtracting(["prompt_id", "answer"])
        guard unknown.isEmpty else {
            throw .answersFileSyntax(
                path: path, line: number, reason: "unknown key(s) \(unknown.sorted().joined(separator: ", "))")
        }
        guard let promptID = members["prompt_id"]?.stringValue, !promptID.isEmpty else {
            throw .answersFileSyntax(path: path, line: number, reason: "missing string \"prompt_id\"")
        }
        let answer: String
        switch members["answer"] {
        case .string(let text): answer = text
        case .integer(let number): answer = String(number)
        case .bool(let flag): answer = flag ? "yes" : "no"
        default:
            throw .answersFileSyntax(
                path: path, line: number, reason: "\"answer\" must be a string, an integer or a boolean")
        }
        return Entry(line: number, promptID: promptID, answer: answer)
    }
}
