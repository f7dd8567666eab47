import AuditCrypto
import AuditDomain
import AuditLog
import AuditTestSupport
import Foundation

@testable import AuditExecutor

/// A simulated run in memory: the log, the site and the clock the simulation advances; nothing waits for real.
struct SimRun {
    let store: any EventStore
    let simulation: Simulation
    let output = BufferSink()
    var settings: RunSettings

    static let start = Timestamp(millisecondsSinceEpoch: 1_768_464_000_000)

    init(
        site: String = "site-1", stacks: Int = 3, faults: [SimFault] = [], store: (any EventStore)? = nil,
        stateFile: URL? = nil, start: Timestamp = SimRun.start
    ) throws {
        simulation = try Simulation(
            configuration: SiteConfiguration(name: site, stackCount: stacks, faults: faults), stateFile: stateFile,
            start: start)
        self.store = store ?? InMemoryEventStore(clock: simulation.clock)
        settings = RunSettings(
            site: site, procedure: try Procedure.load(id: "stacks-in-parallel"),
            image: FirmwareImage(path: "/images/bms-4007.bin", sha256: SHA256.hash("image")), targetVersion: "4007",
            actor: "test-technician", transport: .sim)
    }

    var runner: ProcedureRunner {
        ProcedureRunner(
            settings: settings, store: store, prompter: simulation.technician, transport: simulation.transport,
            registration: .known(simulation.registration), clock: simulation.clock, sleeper: simulation.sleeper,
            output: output)
    }

    func run() async throws(RunError) -> RunResult { try await runner.run() }

    func events() throws -> [LoggedEvent] { try store.events(site: settings.site) }

    func types() throws -> [String] { try events().map(\.type) }
}

/// The rule ids of the failing findings.
func failing(_ findings: [Finding]) -> Set<String> {
    Set(findings.filter { $0.verdict == .fail }.map(\.rule))
}

/// A crash rehearsal in process: the append that makes the log hold `limit` events is committed, then the writer
/// "dies" (throws), exactly as the SIGKILL hook does in the binary.
struct CrashingStore: EventStore {
    struct Crash: Error {}

    let inner: InMemoryEventStore
    let limit: Int64

    var logID: String { inner.logID }

    func append(
        _ drafts: [EventDraft], attaching evidence: [[UInt8]], guard check: AppendGuard?
    ) throws(AuditLogError) -> [AppendResult] {
        let results = try inner.append(drafts, attaching: evidence, guard: check)
        if try inner.head().size >= limit { throw .database("simulated crash after event \(limit)") }
        return results
    }

    func appendParts<Gate: SiteGuard>(
        gate: Gate, _ feed: (_ append: ([EventDraft]) throws -> [AppendResult]) throws -> Void
    ) throws {
        try inner.appendParts(gate: gate, feed)
        if try inner.head().size >= limit { throw AuditLogError.database("simulated crash after event \(limit)") }
    }

    func evidence(_ sha256: Digest) throws(AuditLogError) -> [UInt8]? { try inner.evidence(sha256) }

    func events(_ filter: EventFilter) throws(AuditLogError) -> [LoggedEvent] { try inner.events(filter) }

    func head() throws(AuditLogError) -> (size: Int64, hash: Digest) { try inner.head() }
}
