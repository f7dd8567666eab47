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

    /// How many events a clean run of the same site records.
    static let cleanLength: Int = {
        guard let scratch = try? Scratch() else { return 0 }
        let db = scratch.path("audit.db")
        _ = try? CLI.audit(["demo", "--db", db, "--site", "site-k", "--stacks", String(stacks)])
        return (try? RunFixtures.eventCount(db)) ?? 0
    }()

    @Test func everyStepIsCovered() throws {
        #expect(Self.cleanLength > 60)
    }

    @Test(arguments: [1, 2, 4, 7, 11, 16, 21, 27, 33, 38, 44, 49, 53, 58, 62, 66, 70, 74, 79, 83, 86])
    func aRunKilledAfterEventKResumesToAPassingCheck(k: Int) throws {
        let scratch = try Scratch()
        let db = scratch.path("audit.db")
        let image = try RunFixtures.image(in: scratch)
        let killed = try CLI.audit(runArguments(db, image) + ["--stop-after-events", String(k)])
        guard k < Self.cleanLength else { return }
        #expect(killed.status == SIGKILL, "k=\(k): \(killed.stderr)")
        #expect(try RunFixtures.eventCount(db) == k)
        let resumed = try CLI.audit(runArguments(db, image))
        #expect(resumed.status == 0, "k=\(k): \(resumed.stderr)\n\(resumed.stdout.suffix(1500))")
        #expect(resumed.stdout.contains("Resuming site 'site-k'"))
        #expect(RunFixtures.verdicts(resumed.stdout).values.allSatisfy { $0 == "PASS" })
        #expect(try CLI.audit(["verify", "--db", db]).status == 0)
        #expect(try RunFixtures.eventCount(db, type: "procedure.completed") == 1)
    }

    @Test func twoKillsInARowStillEndInAPassingCheck() throws {
        let scratch = try Scratch()
        let db = scratch.path("audit.db")
        let image = try RunFixtures.image(in: scratch)
        for k in [30, 45] {
            let killed = try CLI.audit(runArguments(db, image) + ["--stop-after-events", String(k)])
            #expect(killed.status == SIGKILL)
        }
        let resumed = try CLI.audit(runArguments(db, image))
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try CLI.audit(["verify", "--db", db]).status == 0)
    }

    @Test func aKilledDemoResumesWithTheSameCommand() throws {
        let scratch = try Scratch()
        let db = scratch.path("audit.db")
        let killed = try CLI.audit(["demo", "--db", db, "--stop-after-events", "40"])
        #expect(killed.status == SIGKILL)
        let resumed = try CLI.audit(["demo", "--db", db])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdoutLines.last?.hasPrefix("verdict: PASS") == true)
    }
}
