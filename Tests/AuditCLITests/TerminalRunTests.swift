import AuditTestSupport
import Foundation
import Subprocess
import Testing

/// `audit run --transport manual` driven through a real pseudo-terminal (tmux), as a technician would use it.
@Suite struct TerminalRunTests {
    /// One private tmux server per test, so parallel tests and a user's own tmux never meet.
    struct Tmux: ~Copyable {
        let socket = "audit-test-\(UUID().uuidString.prefix(8))"
        /// The server's pid once started; the server is not our child, so ending it needs no wait.
        private(set) var serverPID: pid_t = 0

        @discardableResult
        func run(_ arguments: [String]) async throws -> ProcessResult {
            try await CLI.run("tmux", ["-L", socket] + arguments)
        }

        /// Starts the session. tmux forks a server that outlives the client: the client's output goes nowhere, so
        /// awaiting the client never waits for the server (Subprocess closes every other descriptor in the child).
        mutating func start(_ command: String) async throws {
            let client = try await Subprocess.run(
                .name("tmux"),
                arguments: ["-L", socket, "new-session", "-d", "-s", "run", "-x", "200", "-y", "50", command],
                environment: CLI.environment(), output: .discarded, error: .discarded)
            #expect(client.terminationStatus == .exited(0))
            let pid = try await run(["display-message", "-p", "-t", "run", "#{pid}"])
            serverPID = try #require(pid_t(pid.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(pid)")
        }

        /// The whole pane with its history, wrapped lines joined.
        func capture() async throws -> String {
            try await run(["capture-pane", "-p", "-J", "-S", "-", "-t", "run"]).stdout
        }

        /// Only a bound on a hung test: under a loaded CI pool a capture can take seconds to be scheduled.
        func wait(for condition: (String) -> Bool, seconds: Int = 120) async throws -> String {
            let deadline = ContinuousClock.now + .seconds(seconds)
            var pane = ""
            while ContinuousClock.now < deadline {
                pane = try await capture()
                if condition(pane) { return pane }
                try await Task.sleep(for: .milliseconds(50))
            }
            Issue.record("timed out; pane:\n\(pane)")
            return pane
        }

        deinit { if serverPID > 0 { kill(serverPID, SIGTERM) } }
    }

    /// Prompts shown so far; the pane drops the trailing space of a prompt still waiting for its answer.
    static func prompts(in pane: String) -> Int { pane.components(separatedBy: "] >").count - 1 }

    @Test func aTechnicianAnswersAtATerminalAndABadAnswerIsAskedAgain() async throws {
        let scratch = try TemporaryDirectory()
        let db = scratch.path("audit.db")
        let image = try RunFixtures.image(in: scratch)
        var tmux = Tmux()
        let command =
            "env AUDIT_ACTOR=tmux-technician \(CLI.auditPath) run --db \(db) --site tty --firmware \(image) "
            + "--target-version 4007 --transport manual --stacks S1:SER1; echo EXIT=$?; sleep 300"
        try await tmux.start(command)
        var answers = RunFixtures.oneStackAnswers.map(\.answer)
        answers.insert("maybe", at: 4)  // The first power-state question gets a bad answer first.
        for (index, answer) in answers.enumerated() {
            _ = try await tmux.wait(for: { Self.prompts(in: $0) > index })
            try await tmux.run(["send-keys", "-t", "run", answer, "Enter"])
        }
        let pane = try await tmux.wait(for: { $0.contains("EXIT=") })
        #expect(pane.contains("EXIT=0"), "\(pane)")
        #expect(pane.contains("not accepted: 'maybe' is not a power state"), "\(pane)")
        #expect(pane.contains("Is the BMS of S1 on or off? [on or off] > maybe"))
        #expect(pane.contains("verdict: PASS"))
        #expect(try await RunFixtures.eventCount(db, type: "power.observed") == 4)
        let actors = try await CLI.sqlite(db, "SELECT DISTINCT actor FROM events").stdout
        #expect(actors.trimmingCharacters(in: .whitespacesAndNewlines) == "tmux-technician")
    }

    static func manualRun(_ db: String, _ image: String) -> String {
        "env AUDIT_ACTOR=tmux-technician \(CLI.auditPath) run --db \(db) --site tty --firmware \(image) "
            + "--target-version 4007 --transport manual --stacks S1:SER1; echo EXIT=$?; sleep 300"
    }

    /// Field finding 1 at a terminal: the original ADDR mistyped, `?` shows what is expected, `back` corrects it.
    @Test func helpAndBackAtATerminalCorrectTheMistypedOriginal() async throws {
        let scratch = try TemporaryDirectory()
        let db = scratch.path("audit.db")
        let image = try RunFixtures.image(in: scratch)
        var tmux = Tmux()
        try await tmux.start(Self.manualRun(db, image))
        // Each keystroke answers one prompt as printed: `?` prints the INV prompt again, `back` prints the correction.
        var keys = RunFixtures.oneStackAnswers.map(\.answer)
        keys[1] = "DUDDDD"  // The mistyped original.
        keys.insert(contentsOf: ["?", "back", "UDDDDD"], at: 2)
        for (index, key) in keys.enumerated() {
            _ = try await tmux.wait(for: { Self.prompts(in: $0) > index })
            try await tmux.run(["send-keys", "-t", "run", key, "Enter"])
        }
        let pane = try await tmux.wait(for: { $0.contains("EXIT=") })
        #expect(pane.contains("EXIT=0"), "\(pane)")
        #expect(pane.contains("expected: 6 pins, pin 1 first"), "\(pane)")
        #expect(pane.contains("Correct the previous answer: What is the ADDR DIP position of S1?"), "\(pane)")
        #expect(pane.contains("recorded as a correction of event 4"), "\(pane)")
        #expect(pane.contains("verdict: PASS"), "\(pane)")
        let corrections = try await CLI.sqlite(
            db,
            "SELECT json_extract(payload, '$.corrects') || ' ' || json_extract(payload, '$.position') "
                + "FROM events WHERE json_extract(payload, '$.corrects') IS NOT NULL")
        #expect(corrections.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "4 UDDDDD")
        #expect(pane.contains("Set ADDR of S1 to UDDDDD (pin 1 first)"))
    }

    /// Field finding 2: Ctrl-C says, in one line, that the same command resumes; exit 130.
    @Test func ctrlCSaysTheSameCommandResumes() async throws {
        let scratch = try TemporaryDirectory()
        let db = scratch.path("audit.db")
        let image = try RunFixtures.image(in: scratch)
        var tmux = Tmux()
        try await tmux.start(Self.manualRun(db, image))
        _ = try await tmux.wait(for: { Self.prompts(in: $0) > 0 })
        try await tmux.run(["send-keys", "-t", "run", "4006", "Enter"])
        _ = try await tmux.wait(for: { Self.prompts(in: $0) > 1 })
        try await tmux.run(["send-keys", "-t", "run", "C-c"])
        let pane = try await tmux.wait(for: { $0.contains("EXIT=") })
        #expect(pane.contains("EXIT=130"), "\(pane)")
        let notice = pane.split(separator: "\n").filter { $0.contains("interrupted") }
        #expect(
            notice == [
                "interrupted: every answer given so far is in the log; run the same command again to resume site 'tty'"
            ], "\(pane)")
        #expect(try await RunFixtures.eventCount(db, type: "firmware.version_observed") == 1)
    }
}
