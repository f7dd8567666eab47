import AuditCrypto
import AuditDomain
import AuditLog
import AuditTestSupport
import Foundation

@testable import AuditExecutor

/// The simulated technician with some replies replaced, as a person on site mistypes, skips an action or goes back.
final class OverridingPrompter: Prompter, @unchecked Sendable {
    enum Reply {
        /// Answered without doing the prompt's action (and without looking): what a mistake or a skip records.
        case answer(Answer)
        /// The action done, but the answer mistyped.
        case mistype(Answer)
        /// `back` typed at this prompt.
        case back
    }

    private let inner: any Prompter
    private let lock = NSLock()
    private let replies: [String: [Int: Reply]]
    private var seen: [String: Int] = [:]
    private var prompts: [Prompt] = []

    /// `replies[id][n]` replaces the n-th (1-based) time prompt `id` is asked.
    init(_ inner: any Prompter, replies: [String: [Int: Reply]] = [:]) {
        self.inner = inner
        self.replies = replies
    }

    func ask(_ prompt: Prompt) async throws(PromptError) -> Answer {
        let reply: Reply? = lock.withLock {
            seen[prompt.id, default: 0] += 1
            prompts.append(prompt)
            return replies[prompt.id]?[seen[prompt.id]!]
        }
        switch reply {
        case .answer(let answer): return answer
        case .mistype(let answer):
            _ = try await inner.ask(prompt)
            return answer
        case .back: throw .back(prompt: prompt.text)
        case nil: return try await inner.ask(prompt)
        }
    }

    /// Every prompt put so far, in order (a `back` counts as the prompt it was typed at).
    var asked: [Prompt] { lock.withLock { prompts } }
}

/// A manual-transport run on a simulated site: the technician pushes "by hand" and every question is counted, as
/// at a terminal; nothing waits for real.
struct ManualRun {
    let store: InMemoryEventStore
    let simulation: Simulation
    let prompter: OverridingPrompter
    let output = BufferSink()
    var settings: RunSettings

    init(stacks: Int = 2, faults: [SimFault] = [], replies: [String: [Int: OverridingPrompter.Reply]] = [:]) throws {
        simulation = try Simulation(
            configuration: SiteConfiguration(name: "manual", stackCount: stacks, faults: faults), stateFile: nil,
            start: SimRun.start)
        store = InMemoryEventStore(clock: simulation.clock)
        prompter = OverridingPrompter(simulation.technician, replies: replies)
        settings = RunSettings(
            site: "manual", procedure: try Procedure.load(id: "stacks-in-parallel"),
            image: FirmwareImage(path: "/images/bms-4007.bin", sha256: SHA256.hash("image")), targetVersion: "4007",
            actor: "test-technician", transport: .manual)
        settings.lcdPollMilliseconds = 0
    }

    var runner: ProcedureRunner {
        ProcedureRunner(
            settings: settings, store: store, prompter: prompter,
            transport: ManualTransport(prompter: prompter, clock: simulation.clock),
            registration: .known(simulation.registration), clock: simulation.clock, sleeper: simulation.sleeper,
            output: output)
    }

    func run() async throws(RunError) -> RunResult { try await runner.run() }

    func events() throws -> [LoggedEvent] { try store.events(site: settings.site) }
}
