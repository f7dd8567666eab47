import AuditDomain
import AuditLog
import AuditTestSupport
import Foundation
import Testing

@testable import AuditExecutor

/// A run cut off after any event resumes from the log and the site file alone and still passes every rule.
@Suite(.serialized) struct ResumeTests {
    /// Crashes after event `k`, resumes, and returns the final result; a run shorter than `k` events never
    /// crashes, and then its own result is returned, so every case still checks a finished run.
    func crashAndResume(after k: Int64, stacks: Int = 2) async throws -> RunResult {
        let temporary = try TemporaryDirectory(prefix: "audit-executor")
        let directory = temporary.url
        let file = directory.appendingPathComponent("site.sim.json")
        let inner = InMemoryEventStore()
        let crashing = try SimRun(stacks: stacks, store: CrashingStore(inner: inner, limit: k), stateFile: file)
        let uncut: RunResult?
        do { uncut = try await crashing.run() } catch {
            #expect(error.description.contains("simulated crash"), "\(error)")
            uncut = nil
        }
        if let uncut {
            #expect(try inner.head().size <= k, "the run went past event \(k) without crashing")
            return uncut
        }
        #expect(try inner.head().size == k)
        let resumeStart = Simulation.startTime(after: try inner.events(EventFilter()), now: SimRun.start)
        let resumed = try SimRun(stacks: stacks, store: inner, stateFile: file, start: resumeStart)
        guard try inner.events(EventFilter(type: "procedure.completed")).isEmpty else {
            // Cut right after the last event: nothing is left to do, and the log alone must pass.
            let state = try SiteProjection.rebuild(site: "site-1", events: inner.events(EventFilter()))
            return RunResult(findings: Rules.evaluate(state), state: state)
        }
        return try await resumed.run()
    }

    @Test(arguments: [1, 2, 3], Array(1...100))
    func aRunCutAfterAnyEventResumesToAPassingCheck(stacks: Int, k: Int) async throws {
        let result = try await crashAndResume(after: Int64(k), stacks: stacks)
        #expect(
            failing(result.findings).isEmpty,
            "crash after \(k): \(result.findings.filter { $0.verdict != .pass }.map(\.message))")
    }

    @Test func aPushCutBeforeTheSiteChangedIsRecordedFailedAndPushedAgain() async throws {
        // Find the first push_started of a clean run and crash right after it: the simulated transfer never ran.
        let probe = try SimRun(stacks: 2)
        _ = try await probe.run()
        let started = try #require(try probe.events().first { $0.type == "firmware.push_started" })
        let result = try await crashAndResume(after: started.seq)
        #expect(failing(result.findings).isEmpty)
        let s1 = try #require(result.state.stack("S1"))
        #expect(s1.pushes.count == 2)
        #expect(s1.pushes[0].failed?.value.hasPrefix("outcome unknown after interruption; version reads") == true)
        #expect(s1.pushes[1].completed?.value == "4007")
    }

    @Test func aPushCutAfterTheFlashIsConfirmedByReadingTheVersionBack() async throws {
        // Crash right after the last progress event: the simulated unit already runs the new image.
        let probe = try SimRun(stacks: 2)
        _ = try await probe.run()
        let events = try probe.events()
        let completed = try #require(events.first { $0.type == "firmware.push_completed" })
        let result = try await crashAndResume(after: completed.seq - 1)
        #expect(failing(result.findings).isEmpty)
        let s1 = try #require(result.state.stack("S1"))
        #expect(s1.pushes.count == 1)
        #expect(s1.pushes[0].completed?.value == "4007")
    }
}
