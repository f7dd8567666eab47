import AuditTestSupport
import Foundation
import Testing

/// A real SIGKILL after the K-th recorded event, at points spread over every step, then a resume to completion.
@Suite(.serialized) struct KillResumeTests {
    static let stacks = 3

    func runArguments(_ db: String, _ image: String) -> [String] {
        [
            "run", "--db", db, "--site", "site-k", "--firmware", image, "--target-version", "4007", "--transport",
            "sim", "--sim-stacks", String(Self.stacks),
        ]
    }

    /// How many events a clean run of the same site records; computed once, and a failure fails every test using it.
    static let cleanLength = Task<Int, any Error> {
        let scratch = try TemporaryDirectory()
        let db = scratch.path("audit.db")
        let demo = try await CLI.audit(["demo", "--db", db, "--site", "site-k", "--stacks", String(stacks)])
        guard demo.status == 0 else { throw CleanRunFailed(result: demo) }
        return try await RunFixtures.eventCount(db)
    }

    struct CleanRunFailed: Error, CustomStringConvertible {
        let result: ProcessResult
        var description: String { "the clean demo run failed with \(result.status): \(result.stderr)" }
    }

    @Test func everyStepIsCovered() async throws {
        #expect(try await Self.cleanLength.value > 60)
    }

    @Test(arguments: [1, 2, 4, 7, 11, 16, 21, 27, 33, 38, 44, 49, 53, 58, 62, 66, 70, 74, 79, 83, 86])
    func aRunKilledAfterEventKResumesToAPassingCheck(k: Int) async throws {
        let scratch = try TemporaryDirectory()
        let db = scratch.path("audit.db")
        let image = try RunFixtures.image(in: scratch)
        // Every k must fall inside the run, or the kill never happens and the case tests nothing.
        try #require(k < (try await Self.cleanLength.value))
        let killed = try await CLI.audit(runArguments(db, image) + ["--stop-after-events", String(k)])
        #expect(killed.wasKilled(by: SIGKILL), "k=\(k): \(killed.status) \(killed.stderr)")
        #expect(try await RunFixtures.eventCount(db) == k)
        let resumed = try await CLI.audit(runArguments(db, image))
        #expect(resumed.status == 0, "k=\(k): \(resumed.stderr)\n\(resumed.stdout.suffix(1500))")
        #expect(resumed.stdout.contains("Resuming site 'site-k'"))
        #expect(RunFixtures.verdicts(resumed.stdout).values.allSatisfy { $0 == "PASS" })
        #expect(try await CLI.audit(["verify", "--db", db]).status == 0)
        #expect(try await RunFixtures.eventCount(db, type: "procedure.completed") == 1)
    }

    @Test func twoKillsInARowStillEndInAPassingCheck() async throws {
        let scratch = try TemporaryDirectory()
        let db = scratch.path("audit.db")
        let image = try RunFixtures.image(in: scratch)
        for k in [30, 45] {
            let killed = try await CLI.audit(runArguments(db, image) + ["--stop-after-events", String(k)])
            #expect(killed.wasKilled(by: SIGKILL), "\(killed.status) \(killed.stderr)")
        }
        let resumed = try await CLI.audit(runArguments(db, image))
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try await CLI.audit(["verify", "--db", db]).status == 0)
    }

    @Test func aKilledDemoResumesWithTheSameCommand() async throws {
        let scratch = try TemporaryDirectory()
        let db = scratch.path("audit.db")
        let killed = try await CLI.audit(["demo", "--db", db, "--stop-after-events", "40"])
        #expect(killed.wasKilled(by: SIGKILL), "\(killed.status) \(killed.stderr)")
        let resumed = try await CLI.audit(["demo", "--db", db])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdoutLines.last?.hasPrefix("verdict: PASS") == true)
    }
}

/// A fault is spent with its outcome, not when the push starts: a kill -9 mid-push must not erase it.
@Suite struct KilledFaultTests {
    /// Demos `fault` on S2 of two stacks, killed inside S2's push, then resumed with the same command.
    func killedMidPushThenResumed(_ fault: String, in scratch: borrowing TemporaryDirectory) async throws -> (
        db: String, resumed: ProcessResult
    ) {
        let db = scratch.path("audit.db")
        let arguments = ["demo", "--db", db, "--stacks", "2", "--fault", fault]
        // Event 38 is the first progress of S2's push: the run dies inside the faulted transfer.
        let killed = try await CLI.audit(arguments + ["--stop-after-events", "38"])
        #expect(killed.wasKilled(by: SIGKILL), "\(killed.status) \(killed.stderr)")
        let last = try await CLI.sqlite(db, "SELECT type FROM events ORDER BY seq DESC LIMIT 1")
        #expect(last.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "firmware.push_progress")
        return (db, try await CLI.audit(arguments))
    }

    @Test func aKillDuringAFaultedPushStillFailsTheCheckOnResume() async throws {
        let scratch = try TemporaryDirectory()
        let (_, resumed) = try await killedMidPushThenResumed("stale-version:S2", in: scratch)
        #expect(resumed.status == 1, "\(resumed.stderr)\n\(resumed.stdout.suffix(1500))")
        #expect(resumed.stdoutLines.last?.hasPrefix("verdict: FAIL") == true, "\(resumed.stdout.suffix(800))")
    }

    /// A stall the demo retries past still stalls the push resumed after the kill: its time-out is in the log.
    @Test func aKillDuringAStalledPushStillMeetsTheStallOnResume() async throws {
        let scratch = try TemporaryDirectory()
        let (db, resumed) = try await killedMidPushThenResumed("push-stalls:S2", in: scratch)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let stalls = try await CLI.sqlite(
            db, "SELECT count(*) FROM events WHERE type = 'firmware.push_failed' AND payload LIKE '%timed out%'")
        #expect(stalls.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
    }
}

/// A site name is never a path: the simulator's state file stays beside the log.
@Suite struct SiteNameIsNotAPathTests {
    @Test func aSiteNameWithDotDotWritesNothingOutsideTheLogsFolder() async throws {
        let scratch = try TemporaryDirectory()
        let folder = scratch.path("a/b")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let db = folder + "/audit.db"
        let result = try await CLI.audit(["demo", "--db", db, "--site", "x/../../escaped", "--stacks", "2"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path("a")) == ["b"])
        let stateFiles = try FileManager.default.contentsOfDirectory(atPath: folder).filter {
            $0.hasSuffix(".sim.json")
        }
        #expect(stateFiles == ["audit.db.site-x%2F%2E%2E%2F%2E%2E%2Fescaped.sim.json"])
    }
}
