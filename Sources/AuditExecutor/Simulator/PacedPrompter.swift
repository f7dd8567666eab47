import AuditLog

/// Lets simulated time pass while the simulated technician works, so recorded observation times look like a
/// site visit (seconds between answers) without any real waiting.
public struct PacedPrompter: Prompter {
    private let inner: any Prompter
    private let clock: ManualClock
    private let milliseconds: Int64

    public init(_ inner: any Prompter, clock: ManualClock, millisecondsPerAnswer: Int64 = 2_000) {
        self.inner = inner
        self.clock = clock
        self.milliseconds = millisecondsPerAnswer
    }

    public func ask(_ prompt: Prompt) async throws(PromptError) -> Answer {
        clock.advance(milliseconds: milliseconds)
        return try await inner.ask(prompt)
    }
}
