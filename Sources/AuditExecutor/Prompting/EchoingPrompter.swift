import AuditCore

/// Shows each question and the answer it got, so an unattended (simulated or scripted) run reads like a visit.
public struct EchoingPrompter: Prompter {
    private let inner: any Prompter
    private let output: any TextSink

    public init(_ inner: any Prompter, output: any TextSink) {
        self.inner = inner
        self.output = output
    }

    public func ask(_ prompt: Prompt) async throws(PromptError) -> Answer {
        let answer = try await inner.ask(prompt)
        output.write("  \(prompt.text) > \(answer)".escapingControls + "\n")
        return answer
    }
}
