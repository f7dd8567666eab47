import AuditDomain
import AuditLog
import AuditTestSupport
import Foundation
import Testing

@testable import AuditExecutor

@Suite struct SimulatedTransportTests {
    private func transport(_ site: SimulatedSite, _ clock: ManualClock, stall: Int64 = 5) -> SimulatedTransport {
        SimulatedTransport(
            site: site, clock: clock, sleeper: ClockAdvancingSleeper(clock: clock), stepMilliseconds: 100,
            stallTimeoutMilliseconds: stall)
    }

    @Test func pushIsRefusedWhileInParallel() async throws {
        let (site, clock) = try makeSite(stacks: 3)
        let outcome = try await transport(site, clock).push(pushRequest("S2"), progress: { _ in })
        guard case .failed(let reason, nil, _, let digest) = outcome else {
            Issue.record("expected a failed outcome, got \(outcome)")
            return
        }
        #expect(reason == "BMS is in parallel")
        #expect(digest != nil)
        #expect(try site.version("S2") == "4006")
    }

    @Test func pushIsRefusedWithCablesOutButAddressNotMaster() async throws {
        let (site, clock) = try makeSite(stacks: 2)
        try isolate(site)
        try site.setDIP("S2", .addr, .address(2, pins: 6))
        let outcome = try await transport(site, clock).push(pushRequest("S2"), progress: { _ in })
        #expect(
            outcome
                == .failed(
                    reason: "BMS is in parallel", exitStatus: nil, durationMilliseconds: 0,
                    outputDigest: outcome.outputDigest))
    }

    @Test func isolatedPushCompletesWithProgressAndReadsBack() async throws {
        let (site, clock) = try makeSite(stacks: 3)
        try isolate(site)
        let progress = ProgressLog()
        let sim = transport(site, clock)
        let outcome = try await sim.push(pushRequest("S2"), progress: { progress.record($0) })
        guard case .completed(let version, let duration, let digest, let status) = outcome else {
            Issue.record("expected completion, got \(outcome)")
            return
        }
        #expect(version == "4007")
        #expect(duration == 1000)
        #expect(digest != nil && status == nil)
        #expect(progress.all == Array(stride(from: 0, through: 100, by: 10)))
        #expect(try await sim.readVersion(stack: "S2", serial: "x") == "4007")
        #expect(try await sim.readVersion(stack: "S1", serial: "x") == "4006")
        #expect(site.snapshot.pushCounts == ["S2": 1])
    }

    @Test func pushFailsFaultFailsOnlyTheFirstPush() async throws {
        let (site, clock) = try makeSite(stacks: 2, faults: [.pushFails(stack: "S1", reason: "checksum error")])
        try isolate(site)
        let sim = transport(site, clock)
        let first = try await sim.push(pushRequest("S1"), progress: { _ in })
        #expect(first.isCompleted == false)
        if case .failed(let reason, _, _, _) = first { #expect(reason == "checksum error") }
        try await sim.outcomeRecorded(pushRequest("S1"))
        #expect(try await sim.push(pushRequest("S2"), progress: { _ in }).isCompleted)
        #expect(try await sim.push(pushRequest("S1", attempt: 2), progress: { _ in }).isCompleted)
    }

    /// A fault is spent only once its outcome is in the log: a run killed before that meets it again.
    @Test func aFaultWhoseOutcomeWasNeverRecordedFiresAgain() async throws {
        let (site, clock) = try makeSite(stacks: 2, faults: [.staleVersion(stack: "S1")])
        try isolate(site)
        let sim = transport(site, clock)
        _ = try await sim.push(pushRequest("S1"), progress: { _ in })
        #expect(site.snapshot.spentFaults.isEmpty)
        // No outcomeRecorded: the run died before the log held the outcome, so the next push meets the fault again.
        let again = try await sim.push(pushRequest("S1", attempt: 2), progress: { _ in })
        if case .completed(let version, _, _, _) = again { #expect(version == "4006") } else { Issue.record() }
    }

    @Test func stalledPushTimesOutWithProgressStopped() async throws {
        let (site, clock) = try makeSite(stacks: 2, faults: [.pushStalls(stack: "S2")])
        try isolate(site)
        let progress = ProgressLog()
        let outcome = try await transport(site, clock, stall: 7).push(
            pushRequest("S2"), progress: { progress.record($0) })
        #expect(progress.all.last == 40)
        guard case .failed(let reason, _, let duration, _) = outcome else {
            Issue.record("expected a timeout, got \(outcome)")
            return
        }
        #expect(reason.contains("timed out"))
        #expect(duration == 507)
        #expect(try site.version("S2") == "4006")
    }

    @Test func staleVersionComesBackOld() async throws {
        let (site, clock) = try makeSite(stacks: 2, faults: [.staleVersion(stack: "S1")])
        try isolate(site)
        let outcome = try await transport(site, clock).push(pushRequest("S1"), progress: { _ in })
        guard case .completed(let version, _, _, _) = outcome else {
            Issue.record("expected completion, got \(outcome)")
            return
        }
        #expect(version == "4006")
    }

    @Test func powerCutLeavesADarkStackReading0000AndError20() async throws {
        let temporary = try TemporaryDirectory(prefix: "audit-executor")
        let directory = temporary.url
        let file = directory.appendingPathComponent("a.sim.json")
        let (site, clock) = try makeSite(stacks: 2, faults: [.powerCutMidPush(stack: "S2")], file: file)
        try isolate(site)
        let progress = ProgressLog()
        let outcome = try await transport(site, clock).push(pushRequest("S2"), progress: { progress.record($0) })
        #expect(outcome.isCompleted == false)
        #expect(progress.all.last == 50)
        // What a resumed run finds after the process died: the cut is already on disk.
        let resumed = try SimulatedSite(loading: file, clock: clock)
        #expect(try resumed.power("S2") == .off)
        #expect(try resumed.version("S2") == nil)
        try resumed.powerOn("S2")
        #expect(try resumed.version("S2") == "0000")
        #expect(try resumed.lcd("S2") == "ERROR 20")
        let retry = try await transport(resumed, clock).push(pushRequest("S2", attempt: 2), progress: { _ in })
        #expect(retry.isCompleted == false)
    }

    @Test func pushToAnUnknownStackThrows() async throws {
        let (site, clock) = try makeSite(stacks: 2)
        await #expect(throws: TransportError.unknownStack("S5")) {
            try await transport(site, clock).push(pushRequest("S5"), progress: { _ in })
        }
    }
}

@Suite struct PowerCutKillTests {
    /// The demo behaviour: the process dies mid-push and the site file already says what the cut did.
    @Test func killProcessDiesAfterTheCutIsOnDisk() async throws {
        let temporary = try TemporaryDirectory(prefix: "audit-executor")
        let directory = temporary.url
        let path = directory.appendingPathComponent("a.sim.json").path
        await #expect(processExitsWith: .signal(SIGKILL)) { [path = path as String] in
            let (site, clock) = try makeSite(
                stacks: 2, faults: [.powerCutMidPush(stack: "S1")], file: URL(fileURLWithPath: path))
            try isolate(site)
            let transport = SimulatedTransport(
                site: site, clock: clock, sleeper: ClockAdvancingSleeper(clock: clock), stepMilliseconds: 1,
                powerCut: .killProcess)
            _ = try await transport.push(pushRequest("S1"), progress: { _ in })
        }
        let site = try SimulatedSite(loading: URL(fileURLWithPath: path), clock: SystemClock())
        #expect(try site.stack("S1").damaged)
        #expect(try site.stack("S1").firmware == "0000")
        #expect(site.snapshot.spentFaults == [.powerCutMidPush(stack: "S1")])
    }
}
