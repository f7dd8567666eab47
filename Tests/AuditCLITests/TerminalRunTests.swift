import Foundation
import Testing

/// `audit run --transport manual` driven through a real pseudo-terminal (tmux), as a technician would use it.
@Suite struct TerminalRunTests {
    /// One private tmux server per test, so parallel tests and a user's own tmux never meet.
    struct Tmux: ~Copyable {
        let socket = "audit-test-\(UUID().uuidString.prefix(8))"

        @discardableResult
        func run(_ arguments: [String]) throws -> ProcessResult { try CLI.run("tmux", ["-L", socket] + arguments) }

        /// Starts the session with posix_spawn and waitpid: tmux forks a server that outlives the client, which
        /// Foundation's Process does not always notice exiting.
        func start(_ command: String) throws {
            spawn(["new-session", "-d", "-s", "run", "-x", "200", "-y", "50", command])
        }

        func spawn(_ arguments: [String]) {
            let argv = ["tmux", "-L", socket] + arguments
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            // The server must not inherit the test runner's pipes (its event stream), or the runner waits for it.
            let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
            for fd in open.compactMap(Int32.init) where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
            for fd: Int32 in 0...2 {
                posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
            }
            var cArgs = argv.map { strdup($0) } + [nil]
            defer { for arg in cArgs { free(arg) } }
            var pid: pid_t = 0
            #expect(posix_spawnp(&pid, "tmux", &actions, nil, &cArgs, environ) == 0)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }

        /// The whole pane with its history, wrapped lines joined.
        func capture() throws -> String { try run(["capture-pane", "-p", "-J", "-S", "-", "-t", "run"]).stdout }

        func wait(for condition: (String) -> Bool, seconds: Double = 20) throws -> String {
            let deadline = Date().addingTimeInterval(seconds)
            var pane = ""
            while Date() < deadline {
                pane = try capture()
                if condition(pane) { return pane }
                Thread.sleep(forTimeInterval: 0.05)
            }
            Issue.record("timed out; pane:\n\(pane)")
            return pane
        }

        deinit { spawn(["kill-server"]) }
    }

    /// Prompts shown so far; the pane drops the trailing space of a prompt still waiting for its answer.
    static func prompts(in pane: String) -> Int { pane.components(separatedBy: "] >").count - 1 }

    @Test func aTechnicianAnswersAtATerminalAndABadAnswerIsAskedAgain() throws {
        let scratch = try Scratch()
        let db = scratch.path("audit.db")
        let image = try RunFixtures.image(in: scratch)
        let tmux = Tmux()
        let command =
            "env AUDIT_ACTOR=tmux-technician \(CLI.auditPath) run --db \(db) --site tty --firmware \(image) "
            + "--target-version 4007 --transport manual --stacks S1:SER1; echo EXIT=$?; sleep 3"
        try tmux.start(command)
        var answers = RunFixtures.oneStackAnswers.map(\.answer)
        answers.insert("maybe", at: 4)  // The first power-state question gets a bad answer first.
        for (index, answer) in answers.enumerated() {
            _ = try tmux.wait(for: { Self.prompts(in: $0) > index })
            try tmux.run(["send-keys", "-t", "run", answer, "Enter"])
        }
        let pane = try tmux.wait(for: { $0.contains("EXIT=") })
        #expect(pane.contains("EXIT=0"), "\(pane)")
        #expect(pane.contains("not accepted: 'maybe' is not a power state"), "\(pane)")
        #expect(pane.contains("Is the BMS of S1 on or off? [on or off] > maybe"))
        #expect(pane.contains("verdict: PASS"))
        #expect(try RunFixtures.eventCount(db, type: "power.observed") == 4)
        let actors = try CLI.sqlite(db, "SELECT DISTINCT actor FROM events").stdout
        #expect(actors.trimmingCharacters(in: .whitespacesAndNewlines) == "tmux-technician")
    }
}
