import AuditTestSupport
import Foundation
import Testing

@Suite struct RunCommandTests {
    func runArguments(_ db: String, _ image: String, site: String = "site-a") -> [String] {
        ["run", "--db", db, "--site", site, "--firmware", image, "--target-version", "4007"]
    }

    @Test func aScriptedManualRunPassesEveryRule() async throws {
        let scratch = try TemporaryDirectory()
        let db = scratch.path("audit.db")
        let answers = scratch.path("answers.jsonl")
        try RunFixtures.answersFile(RunFixtures.oneStackAnswers[...]).write(
            toFile: answers, atomically: true, encoding: .utf8)
        let result = try await CLI.audit(
            runArguments(db, try RunFixtures.image(in: scratch)) + [
                "--transport", "manual", "--stacks", "S1:SER1", "--answers", answers,
            ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(RunFixtures.verdicts(result.stdout).values.allSatisfy { $0 == "PASS" }, "\(result.stdout)")
        #expect(result.stdout.contains("Step 12/12"))
        #expect(try await CLI.audit(["verify", "--db", db]).status == 0)
    }

    @Test func withoutATerminalOrAnswersNothingIsRecorded() async throws {
        let scratch = try TemporaryDirectory()
        let db = scratch.path("audit.db")
        let result = try await CLI.audit(
            runArguments(db, try RunFixtures.image(in: scratch)) + ["--transport", "manual", "--stacks", "S1:SER1"],
            stdin: "")
        expectOneLineError(result, contains: "no terminal")
        #expect(!FileManager.default.fileExists(atPath: db))
        _ = try await makeLog(in: scratch, events: 0)
        let again = try await CLI.audit(
            runArguments(db, try RunFixtures.image(in: scratch)) + ["--transport", "manual"], stdin: "")
        expectOneLineError(again, contains: "no terminal")
        #expect(try await RunFixtures.eventCount(db) == 0)
    }

    @Test func aCompletedSiteShowsItsCheckAndReopenStartsACorrectiveVisit() async throws {
        let scratch = try TemporaryDirectory()
        let db = scratch.path("audit.db")
        let image = try RunFixtures.image(in: scratch)
        let sim = runArguments(db, image) + ["--transport", "sim", "--sim-stacks", "2"]
        #expect(try await CLI.audit(sim).status == 0)
        let count = try await RunFixtures.eventCount(db)
        let again = try await CLI.audit(sim)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("Site 'site-a' is complete"), "\(again.stdout)")
        #expect(again.stdout.contains("--reopen --reason TEXT"))
        #expect(RunFixtures.verdicts(again.stdout)["record.no-late-entries"] == "PASS")
        #expect(try await RunFixtures.eventCount(db) == count)
        let noReason = try await CLI.audit(sim + ["--reopen"])
        #expect(noReason.status == 64)
        #expect(noReason.stderr.contains("--reopen needs --reason"))
        let reopened = try await CLI.audit(sim + ["--reopen", "--reason", "S2 shows ERROR 19 again"])
        #expect(reopened.status == 0, "\(reopened.stderr)")
        #expect(RunFixtures.verdicts(reopened.stdout).values.allSatisfy { $0 == "PASS" }, "\(reopened.stdout)")
        #expect(try await RunFixtures.eventCount(db, type: "procedure.reopened") == 1)
        #expect(try await RunFixtures.eventCount(db, type: "procedure.completed") == 2)
    }

    @Test func answersThatRunOutStopWithEveryAnswerGivenOnRecord() async throws {
        let scratch = try TemporaryDirectory()
        let db = scratch.path("audit.db")
        let answers = scratch.path("answers.jsonl")
        let given = RunFixtures.oneStackAnswers.prefix(5)
        try RunFixtures.answersFile(given).write(toFile: answers, atomically: true, encoding: .utf8)
        let image = try RunFixtures.image(in: scratch)
        let result = try await CLI.audit(
            runArguments(db, image) + ["--transport", "manual", "--stacks", "S1:SER1", "--answers", answers])
        expectOneLineError(result, contains: "no (more) answers for 'dip:S1:ADDR'")
        // Registration, start, the 4 observations answered and 3 steps done (a lone stack has no cable to
        // unplug); the set-and-read prompt that went unanswered left nothing behind.
        #expect(try await RunFixtures.eventCount(db) == 2 + 4 + 3)
        #expect(try await RunFixtures.eventCount(db, type: "dip.observed") == 2)
        #expect(try await CLI.audit(["verify", "--db", db]).status == 0)
        // The rest of the answers finish the run from where the log stops.
        try RunFixtures.answersFile(RunFixtures.oneStackAnswers.dropFirst(5))
            .write(toFile: answers, atomically: true, encoding: .utf8)
        let resumed = try await CLI.audit(runArguments(db, image) + ["--transport", "manual", "--answers", answers])
        #expect(resumed.status == 0, "\(resumed.stderr)")
    }

    @Test func aResumeWithAnotherTargetIsRefused() async throws {
        let scratch = try TemporaryDirectory()
        let db = scratch.path("audit.db")
        let image = try RunFixtures.image(in: scratch)
        let killed = try await CLI.audit(runArguments(db, image) + ["--transport", "sim", "--stop-after-events", "3"])
        #expect(killed.wasKilled(by: SIGKILL), "\(killed.status) \(killed.stderr)")
        var arguments = runArguments(db, image) + ["--transport", "sim"]
        arguments[arguments.firstIndex(of: "4007")!] = "4008"
        expectOneLineError(try await CLI.audit(arguments), contains: "target version 4007, not 4008")
    }

    @Test func badInputIsOneLine() async throws {
        let scratch = try TemporaryDirectory()
        let db = scratch.path("audit.db")
        expectOneLineError(
            try await CLI.audit(runArguments(db, scratch.path("missing.bin")) + ["--transport", "sim"]),
            contains: "no such file")
        let image = try RunFixtures.image(in: scratch)
        expectOneLineError(
            try await CLI.audit(runArguments(db, image) + ["--transport", "manual", "--stacks", "S1"], stdin: ""),
            contains: "invalid stacks")
        expectOneLineError(
            try await CLI.audit(runArguments(db, image) + ["--sim-fault", "push-fails"]), contains: "--sim-fault needs")
        expectOneLineError(
            try await CLI.audit(runArguments(db, image) + ["--transport", "command", "--answers", image]),
            contains: "--flasher-config")
    }
}
