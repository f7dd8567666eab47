import AuditDomain
import Foundation
import Testing

@testable import AuditExecutor

/// Lines fed to the terminal prompter in place of stdin.
final class ScriptedLines: LineReader, @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String]

    init(_ lines: [String]) { self.lines = lines }

    func readLine() -> String? {
        lock.withLock { lines.isEmpty ? nil : lines.removeFirst() }
    }
}

@Suite struct AnswerValidationTests {
    @Test func parsesEachAnswerKind() throws {
        #expect(try PromptKind.powerState(stack: "S1").parse(" ON ") == .power(.on))
        #expect(try PromptKind.dip(stack: "S1", bank: .addr, pinCount: 6).parse("100000") == .dip(.master(pins: 6)))
        #expect(
            try PromptKind.dip(stack: "S1", bank: .inv, pinCount: 6).parse("duuuuu") == .dip(.detection(pins: 6)))
        #expect(try PromptKind.lcdCode(stack: "S1").parse("err19") == .lcd("ERROR 19"))
        #expect(try PromptKind.lcdCode(stack: "S1").parse(" 62 ") == .lcd("62"))
        #expect(try PromptKind.lcdCode(stack: "S1").parse("blank") == .lcd(""))
        #expect(try PromptKind.firmwareVersion(stack: "S1").parse("2.92") == .version("2.92"))
        let cable = CableEdge(PortRef(stack: "S1", port: .a), PortRef(stack: "S2", port: .b))
        #expect(try PromptKind.cableState(cable).parse("unplugged") == .cable(plugged: false))
        #expect(try PromptKind.confirmation(.powerOff(stack: "S1")).parse("done") == .confirmation(done: true))
    }

    @Test func rejectsInvalidAnswersWithAReason() {
        let cases: [(PromptKind, String)] = [
            (.powerState(stack: "S1"), "maybe"),
            (.dip(stack: "S1", bank: .addr, pinCount: 6), "UDDDD"),
            (.dip(stack: "S1", bank: .addr, pinCount: 6), "UDDXDD"),
            (.lcdCode(stack: "S1"), ""),
            (.lcdCode(stack: "S1"), "62!"),
            (.firmwareVersion(stack: "S1"), "v 4007"),
            (.firmwareVersion(stack: "S1"), "abc"),
            (.note(id: "x"), "  "),
        ]
        for (kind, text) in cases {
            #expect(throws: AnswerError.self, "\(kind) accepted '\(text)'") { try kind.parse(text) }
        }
        #expect(throws: AnswerError.self) { try PromptKind.powerState(stack: "S1").validate(.lcd("62")) }
    }

    @Test func promptIDsAreStable() {
        #expect(Prompt(.dip(stack: "S2", bank: .addr, pinCount: 6)).id == "dip:S2:ADDR")
        let chained = CableEdge(PortRef(stack: "S1", port: .a), PortRef(stack: "S2", port: .b))
        #expect(Prompt(.cableState(chained)).id == "cable:S1.A-S2.B")
        let set = TechnicianAction.setDIP(stack: "S2", bank: .inv, position: .detection(pins: 6))
        #expect(Prompt(.confirmation(set)).id == "confirm:set-inv:S2:DUUUUU")
        // The key names Link A's end first whichever way the cable was built.
        let reversed = CableEdge(PortRef(stack: "S2", port: .b), PortRef(stack: "S1", port: .a))
        #expect(Prompt(.cableState(reversed)).id == "cable:S1.A-S2.B")
        let crossed = CableEdge(PortRef(stack: "S1", port: .b), PortRef(stack: "S2", port: .a))
        #expect(Prompt(.cableState(crossed)).id == "cable:S2.A-S1.B")
    }
}

@Suite struct TerminalPrompterTests {
    @Test func refusesWithoutATerminal() async {
        let prompter = TerminalPrompter(input: ScriptedLines(["on"]), output: BufferSink(), isTerminal: false)
        let prompt = Prompt(.powerState(stack: "S1"))
        await #expect(throws: PromptError.noTerminal(prompt: prompt.text)) { try await prompter.ask(prompt) }
        #expect(
            PromptError.noTerminal(prompt: "Is the BMS of S1 on or off?").description
                == "no terminal and no --answers file: cannot ask 'Is the BMS of S1 on or off?'")
    }

    @Test func reasksOnInvalidInput() async throws {
        let sink = BufferSink()
        let prompter = TerminalPrompter(
            input: ScriptedLines(["UDD", "UDDDDD"]), output: sink, isTerminal: true)
        let answer = try await prompter.ask(Prompt(.dip(stack: "S2", bank: .addr, pinCount: 6)))
        #expect(answer == .dip(.master(pins: 6)))
        // The domain's DIP parser words the refusal, as it does for `audit record dip`.
        #expect(sink.text.contains("not accepted: DIP position 'UDD' has 3 pins; this bank has 6\n"))
    }

    @Test func helpShowsWhatIsExpectedAndBackIsPassedToTheRun() async throws {
        let sink = BufferSink()
        let prompter = TerminalPrompter(
            input: ScriptedLines(["?", "help", "UDDDDD", "back"]), output: sink, isTerminal: true, maxAttempts: 1)
        let prompt = Prompt(.dip(stack: "S2", bank: .addr, pinCount: 6))
        // Help is not an invalid answer: one attempt allowed, two helps, then the answer.
        #expect(try await prompter.ask(prompt) == .dip(.master(pins: 6)))
        #expect(sink.text.components(separatedBy: "expected: 6 pins, pin 1 first").count == 3)
        #expect(!sink.text.contains("not accepted"))
        await #expect(throws: PromptError.back(prompt: prompt.text)) { try await prompter.ask(prompt) }
    }

    @Test func endOfInputAndTooManyAttemptsAreErrors() async {
        let prompt = Prompt(.powerState(stack: "S1"))
        let closed = TerminalPrompter(input: ScriptedLines([]), output: BufferSink(), isTerminal: true)
        await #expect(throws: PromptError.endOfInput(prompt: prompt.text)) { try await closed.ask(prompt) }
        let stubborn = TerminalPrompter(
            input: ScriptedLines(["x", "y"]), output: BufferSink(), isTerminal: true, maxAttempts: 2)
        await #expect(throws: PromptError.tooManyInvalidAnswers(prompt: prompt.text, attempts: 2)) {
            try await stubborn.ask(prompt)
        }
    }
}

@Suite struct ScriptedPrompterTests {
    @Test func backInAnAnswersFileIsTheBackOfATerminal() async throws {
        let prompter = try ScriptedPrompter(
            text: """
                {"prompt_id": "dip:S1:INV", "answer": "back"}
                {"prompt_id": "dip:S1:INV", "answer": "UUDDDD"}
                """)
        let prompt = Prompt(.dip(stack: "S1", bank: .inv, pinCount: 6))
        await #expect(throws: PromptError.back(prompt: prompt.text)) { try await prompter.ask(prompt) }
        #expect(try await prompter.ask(prompt) == .dip(try DIPPosition(parsing: "UUDDDD")))
    }

    @Test func answersInFileOrderPerPromptID() async throws {
        let prompter = try ScriptedPrompter(
            text: """
                # isolated detection on S1
                {"prompt_id": "lcd:S1", "answer": 62}
                {"prompt_id": "power:S1", "answer": "on"}

                {"prompt_id": "lcd:S1", "answer": "1"}
                {"prompt_id": "confirm:power-off:S1", "answer": true}
                {"prompt_id": "version:S9", "answer": "4007"}
                """)
        #expect(try await prompter.ask(Prompt(.lcdCode(stack: "S1"))) == .lcd("62"))
        #expect(try await prompter.ask(Prompt(.lcdCode(stack: "S1"))) == .lcd("1"))
        #expect(try await prompter.ask(Prompt(.powerState(stack: "S1"))) == .power(.on))
        #expect(
            try await prompter.ask(Prompt(.confirmation(.powerOff(stack: "S1")))) == .confirmation(done: true))
        #expect(prompter.unusedEntries.map(\.line) == [7])
    }

    @Test func syntaxErrorsNameTheLine() {
        let cases = [
            "{\"prompt_id\": \"lcd:S1\", \"answer\": \"62\"}\nnot json",
            "\n\n[1]",
            "{\"answer\": \"62\"}",
            "{\"prompt_id\": \"lcd:S1\", \"answer\": null}",
            "{\"prompt_id\": \"lcd:S1\", \"answer\": \"62\", \"extra\": 1}",
        ]
        let lines = [2, 3, 1, 1, 1]
        for (text, line) in zip(cases, lines) {
            #expect {
                try ScriptedPrompter(text: text, path: "a.jsonl")
            } throws: { error in
                guard case .answersFileSyntax("a.jsonl", line, _) = error as? PromptError else { return false }
                return "\(error)".hasPrefix("a.jsonl line \(line): ")
            }
        }
    }

    @Test func invalidAnswerNamesTheLineAndMissingAnswerNamesThePrompt() async throws {
        let prompter = try ScriptedPrompter(
            text: "\n{\"prompt_id\": \"dip:S2:ADDR\", \"answer\": \"UDX\"}", path: "a.jsonl")
        let dip = Prompt(.dip(stack: "S2", bank: .addr, pinCount: 6))
        await #expect(
            throws: PromptError.invalidScriptedAnswer(
                path: "a.jsonl", line: 2, promptID: "dip:S2:ADDR",
                reason: "pin 3 of DIP position 'UDX' must be U or D (or 1 or 0)")
        ) { try await prompter.ask(dip) }
        await #expect(throws: PromptError.noScriptedAnswer(path: "a.jsonl", promptID: "dip:S2:ADDR", prompt: dip.text))
        { try await prompter.ask(dip) }
    }

    @Test func unreadableFileIsAClearError() {
        #expect(throws: PromptError.self) { try ScriptedPrompter(path: "/nonexistent/answers.jsonl") }
    }
}

/// A stack id or answer stored by an older writer cannot drive the terminal through the run's narration.
@Suite struct EchoEscapeTests {
    struct Fixed: Prompter {
        func ask(_ prompt: Prompt) async throws(PromptError) -> Answer { .note("ok\u{1B}[2J") }
    }

    @Test func theEchoedQuestionAndAnswerShowControlsEscaped() async throws {
        let output = BufferSink()
        let prompter = EchoingPrompter(Fixed(), output: output)
        _ = try await prompter.ask(Prompt(.note(id: "why"), text: "S\u{9B}1 \u{202E}note"))
        #expect(output.text == "  S\\u{9b}1 \\u{202e}note > ok\\u{1b}[2J\n")
    }
}
