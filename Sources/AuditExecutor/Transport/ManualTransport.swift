import AuditLog

/// Has the technician push with the vendor's tooling (no public local protocol exists for the gateway), then records
/// what they report: done or not, and the version read on the LCD.
public struct ManualTransport: FirmwareTransport {
    private let prompter: any Prompter
    private let clock: any AuditClock

    public init(prompter: any Prompter, clock: any AuditClock) {
        self.prompter = prompter
        self.clock = clock
    }

    public func push(_ request: PushRequest, progress: @Sendable (Int) -> Void) async throws(TransportError)
        -> PushOutcome
    {
        let start = clock.now()
        progress(0)
        let action = TechnicianAction.pushFirmware(
            stack: request.stack, serial: request.serial, image: request.imagePath,
            imageSHA256: request.imageSHA256.hex, version: request.targetVersion)
        // One prompt: the version the unit reads afterwards shows the push was done.
        var prompt = Prompt(.pushOutcome(stack: request.stack), after: action)
        prompt.text += " (type 'failed' if the tool reported a failure)"
        let outcome = try await ask(prompt)
        guard case .version(let version) = outcome else {
            let note = try await ask(
                Prompt(
                    .note(id: "push-failed:\(request.stack)"),
                    text: "Why did the push to \(request.stack) fail? (the tool's message)"))
            return .failed(
                reason: "technician reported failure: \(note)", exitStatus: nil,
                durationMilliseconds: clock.now().milliseconds(since: start), outputDigest: nil)
        }
        progress(100)
        return .completed(
            versionReadBack: version, durationMilliseconds: clock.now().milliseconds(since: start),
            outputDigest: nil, exitStatus: nil)
    }

    public func readVersion(stack: String, serial: String) async throws(TransportError) -> String? {
        try await ask(versionPrompt(stack)).description
    }

    private func versionPrompt(_ stack: String) -> Prompt {
        Prompt(.firmwareVersion(stack: stack), text: "Which firmware version does the LCD of \(stack) show?")
    }

    /// `back` during a push asks the push's own question again: the push is on record, its answers are not yet.
    private func ask(_ prompt: Prompt) async throws(TransportError) -> Answer {
        while true {
            do {
                return try await prompter.ask(prompt)
            } catch {
                guard case .back = error else { throw .prompt(error) }
            }
        }
    }
}
