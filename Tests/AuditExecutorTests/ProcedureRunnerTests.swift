import AuditDomain
import AuditLog
import AuditTestSupport
import Foundation
import Testing

@testable import AuditExecutor

@Suite struct ProcedureRunnerTests {
    @Test(arguments: [1, 2, 3, 5])
    func aCleanSimulatedRunPassesEveryRule(stacks: Int) async throws {
        let run = try SimRun(stacks: stacks)
        let result = try await run.run()
        #expect(failing(result.findings).isEmpty, "\(result.findings)")
        #expect(result.findings.allSatisfy { $0.verdict == .pass }, "\(result.findings)")
        let types = try run.types()
        #expect(types.first == "site.registered")
        #expect(types[1] == "procedure.started")
        #expect(types.last == "procedure.completed")
        #expect(types.filter { $0 == "step.completed" }.count == run.settings.procedure.steps.count)
    }

    @Test func everyPushIsAnnouncedBeforeItsProgressAndOutcome() async throws {
        let run = try SimRun(stacks: 2)
        _ = try await run.run()
        let pushes = try run.events().filter { $0.type.hasPrefix("firmware.push") }
        for stack in ["S1", "S2"] {
            let mine = pushes.filter { $0.stack == stack }.map(\.type)
            #expect(mine.first == "firmware.push_started")
            #expect(mine.last == "firmware.push_completed")
            #expect(mine.filter { $0 == "firmware.push_progress" }.count == 4)
        }
    }

    @Test func restorePowerOnsAreAtLeastTenSecondsApartInObservedTime() async throws {
        let run = try SimRun(stacks: 3)
        _ = try await run.run()
        let state = try SiteProjection.rebuild(site: "site-1", events: run.events())
        let ons = ["S3", "S2", "S1"].compactMap { state.stack($0)?.power?.at }
        #expect(ons.count == 3)
        for (earlier, later) in zip(ons, ons.dropFirst()) { #expect(later.milliseconds(since: earlier) >= 10_000) }
    }

    /// The rules each fault must fail (a refused or stalled push is retried and succeeds, so none).
    static let faultRules: [String: Set<String>] = [
        "stale-version:S3": ["firmware.target-version"],
        // Two masters on the chain also cut the final count short.
        "skip-dip-restore:S3": ["dip.addr-restored", "dip.addr-parallel-valid", "detect.final-count"],
        "wrong-power-order": ["power.on-order"],
        "power-cut-mid-push:S2": ["firmware.target-version", "push.no-stalled", "errors.none-open"],
        "push-fails:S2": [],
        "push-stalls:S2": [],
    ]

    @Test(arguments: faultRules.keys.sorted())
    func eachFaultShowsAsItsFinding(fault: String) async throws {
        let run = try SimRun(stacks: 3, faults: [try SimFault(parsing: fault)])
        let result = try await run.run()
        #expect(failing(result.findings) == Self.faultRules[fault], "\(result.findings.filter { $0.verdict != .pass })")
    }

    @Test func aRefusedPushIsRecordedAndRetriedAsANewAttempt() async throws {
        let run = try SimRun(stacks: 2, faults: [.pushFails(stack: "S2", reason: "rejected")])
        let result = try await run.run()
        let s2 = try #require(result.state.stack("S2"))
        #expect(s2.pushes.map(\.status) == [.failed, .completed])
        #expect(s2.pushes.map(\.started.value.attempt) == [1, 2])
        #expect(s2.pushes[0].failed?.value == "rejected")
    }

    @Test func aPowerCutMidPushIsSeenAsError20AndABrickedVersion() async throws {
        let run = try SimRun(stacks: 2, faults: [.powerCutMidPush(stack: "S2")])
        let result = try await run.run()
        let s2 = try #require(result.state.stack("S2"))
        #expect(s2.lastError20 != nil)
        #expect(s2.versionAfter?.value == "0000")
        #expect(s2.pushStatus == .failed)
    }

    @Test func aCompletedSiteIsNotRunAgainButShowsItsCheckAndHowToReopen() async throws {
        let run = try SimRun(stacks: 1)
        _ = try await run.run()
        let count = try run.events().count
        let again = try await run.run()
        #expect(try run.events().count == count)  // Nothing recorded.
        #expect(again.findings.allSatisfy { $0.verdict == .pass })
        #expect(run.output.text.contains("Site 'site-1' is complete (event \(count)): nothing left to do"))
        #expect(run.output.text.contains("--reopen --reason TEXT"))
    }

    @Test func reopenOnASiteThatNeverCompletedIsRefused() async throws {
        var run = try SimRun(stacks: 1)
        run.settings.reopenReason = "check S1 again"
        await #expect(throws: RunError.notReopenable(site: "site-1")) { try await run.run() }
        #expect(try run.events().isEmpty)
        #expect(RunError.notReopenable(site: "site-1").exitStatus == .usage)
    }

    @Test func aResumeWithAnotherImageIsRefused() async throws {
        let temporary = try TemporaryDirectory(prefix: "audit-executor")
        let directory = temporary.url
        let file = directory.appendingPathComponent("site.sim.json")
        let inner = InMemoryEventStore()
        let first = try SimRun(stacks: 1, store: CrashingStore(inner: inner, limit: 5), stateFile: file)
        await #expect(throws: RunError.self) { try await first.run() }
        var second = try SimRun(stacks: 1, store: inner, stateFile: file)
        second.settings.targetVersion = "4008"
        do {
            _ = try await second.run()
            Issue.record("expected a refusal")
        } catch {
            #expect(error.description.contains("target version 4007, not 4008"))
        }
    }
}

/// Answers "not-done" to one confirmation and leaves every other prompt to the simulated technician.
@Suite struct SkippedActionTests {
    /// The restore asks S2's ADDR back to DUDDDD in one prompt; the technician leaves it and reports what it reads.
    @Test func aSkippedActionShowsInTheObservationAndIsOfferedAFix() async throws {
        let run = try SimRun(stacks: 2)
        // prepare, isolate, restore: the third time S2's ADDR is asked.
        let prompter = OverridingPrompter(
            run.simulation.technician, replies: ["dip:S2:ADDR": [3: .answer(.dip(.master(pins: 6)))]])
        let runner = ProcedureRunner(
            settings: run.settings, store: run.store, prompter: prompter, transport: run.simulation.transport,
            registration: .known(run.simulation.registration), clock: run.simulation.clock,
            sleeper: run.simulation.sleeper, output: run.output)
        let result = try await runner.run()
        #expect(failing(result.findings).contains("dip.addr-restored"))
        #expect(try run.events().filter { $0.type == "note.added" }.isEmpty)
        #expect(run.output.text.contains("S2 ADDR reads UDDDDD, the procedure expects DUDDDD"))
        // The simulated technician keeps a deviation as recorded, so the fault stays visible.
        #expect(prompter.asked.filter { $0.id == "ask:fix:dip:S2:ADDR" }.count == 1)
    }
}
