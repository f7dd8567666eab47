import AuditTestSupport
import Foundation
import Testing

/// `audit run --transport command` with tools/flasher-example, as an installer plugs in a flasher: it succeeds,
/// fails, hangs past its timeout, is killed halfway, and is killed together with the run that is then resumed.
@Suite struct FlasherExampleTests {
    /// This checkout's example folder, found from this file so the tests do not depend on the working directory.
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appending(path: "tools/flasher-example")

    /// A site with one stack, its image, and the example flasher's devices, all in one scratch folder.
    struct Site: ~Copyable {
        let scratch: TemporaryDirectory
        let db: String
        let image: String
        let devices: String

        init() throws {
            let scratch = try TemporaryDirectory()
            let devices = scratch.path("devices")
            try FileManager.default.createDirectory(atPath: devices, withIntermediateDirectories: true)
            // The unit as found: it reads the old version, which the version command reports until a push lands.
            try "4006\n".write(toFile: devices + "/SER1.version", atomically: true, encoding: .utf8)
            image = try RunFixtures.image(in: scratch)
            db = scratch.path("audit.db")
            self.devices = devices
            self.scratch = scratch
        }

        /// The example's flasher.json, pointed at this checkout's script and this site's devices, with `options`
        /// for the push command (the config is how an installer makes the flasher misbehave on purpose).
        func config(_ options: [String] = [], timeoutSeconds: Int? = nil) throws -> String {
            let data = try Data(contentsOf: FlasherExampleTests.example.appending(path: "flasher.json"))
            var json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let script = FlasherExampleTests.example.appending(path: "flasher.sh").path
            func localise(_ key: String, adding options: [String]) throws {
                let command = try #require(json[key] as? String)
                try #require(command.contains("tools/flasher-example/flasher.sh"))
                try #require(command.contains("--device-dir /tmp/flasher-example "))
                let added = options.map { "'\($0)'" }.joined(separator: " ")
                json[key] =
                    command.replacingOccurrences(of: "tools/flasher-example/flasher.sh", with: "'\(script)'")
                    .replacingOccurrences(
                        of: "--device-dir /tmp/flasher-example ", with: "--device-dir '\(devices)' \(added) ")
            }
            try localise("push_command", adding: ["--step-delay", "0"] + options)
            try localise("version_command", adding: [])
            if let timeoutSeconds { json["timeout_seconds"] = timeoutSeconds }
            let path = scratch.path("flasher-\(UUID().uuidString).json")
            try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
            return path
        }

        func path(_ name: String) -> String { scratch.path(name) }

        func arguments(config: String, answers: [(prompt: String, answer: String)], register: Bool = true) throws
            -> [String]
        {
            let answersPath = scratch.path("answers-\(UUID().uuidString).jsonl")
            try RunFixtures.answersFile(answers[...]).write(toFile: answersPath, atomically: true, encoding: .utf8)
            return [
                "run", "--db", db, "--site", "site-f", "--firmware", image, "--target-version", "4007",
                "--transport", "command", "--flasher-config", config, "--answers", answersPath,
            ] + (register ? ["--stacks", "S1:SER1"] : [])
        }

        func column(_ sql: String) async throws -> [String] {
            try await CLI.sqlite(db, sql).stdoutLines
        }

        var pushFailures: [String] {
            get async throws {
                try await column(
                    "SELECT json_extract(payload, '$.reason') FROM events WHERE type = 'firmware.push_failed'")
            }
        }

        var pushCompletions: [String] {
            get async throws {
                try await column(
                    "SELECT json_extract(payload, '$.version') FROM events WHERE type = 'firmware.push_completed'")
            }
        }
    }

    /// A one-stack manual run's answers with the push left to the flasher, split where the push happens.
    static let beforePush = Array(RunFixtures.oneStackAnswers.prefix { $0.prompt != "push:S1" })
    static let afterPush = Array(RunFixtures.oneStackAnswers.drop { $0.prompt != "push:S1" }.dropFirst())
    /// What the technician reports when the run asks them to check the unit after a failed push.
    static let unitCheck: [(prompt: String, answer: String)] = [
        ("power:S1", "on"), ("lcd:S1", "1"), ("version:S1", "4006"),
    ]

    @Test func aFlasherThatSucceedsPassesTheRun() async throws {
        let site = try Site()
        let result = try await CLI.audit(
            try site.arguments(config: try site.config(), answers: Self.beforePush + Self.afterPush))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(RunFixtures.verdicts(result.stdout).values.allSatisfy { $0 == "PASS" }, "\(result.stdout)")
        #expect(try await site.pushCompletions == ["4007"])
        #expect(try await site.pushFailures.isEmpty)
        let progress = try await site.column(
            "SELECT json_extract(payload, '$.percent') FROM events WHERE type = 'firmware.push_progress'")
        #expect(progress == ["30", "50", "80", "100"])
        // The image reached the device, byte for byte, and the transport is on record.
        #expect(FileManager.default.contentsEqual(atPath: site.devices + "/SER1.bin", andPath: site.image))
        let transports = try await site.column(
            "SELECT json_extract(payload, '$.transport') FROM events WHERE type = 'firmware.push_started'")
        #expect(transports == ["command"])
        #expect(try await CLI.audit(["verify", "--db", site.db]).status == 0)
    }

    @Test func aFlasherThatFailsIsRecordedWithItsReason() async throws {
        let site = try Site()
        let config = try site.config(["--fail", "BMS did not answer the bootloader"])
        let answers = Self.beforePush + Self.unitCheck + Self.unitCheck + Self.afterPush
        let result = try await CLI.audit(try site.arguments(config: config, answers: answers))
        #expect(result.status == 1, "\(result.stderr)")
        #expect(RunFixtures.verdicts(result.stdout)["firmware.target-version"] == "FAIL", "\(result.stdout)")
        #expect(result.stdout.contains("the push to S1 failed 2 times"), "\(result.stdout)")
        let reason = "exit status 3: error: BMS did not answer the bootloader"
        #expect(try await site.pushFailures == [reason, reason])
        #expect(try await site.pushCompletions.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: site.devices + "/SER1.bin"))
    }

    @Test func aFlasherThatHangsIsKilledAtItsTimeout() async throws {
        let site = try Site()
        let pidFile = site.path("flasher.pid")
        let config = try site.config(
            ["--hang-at", "50", "--pid-file", pidFile, "--once", site.path("hung-once")], timeoutSeconds: 1)
        let answers = Self.beforePush + Self.unitCheck + Self.afterPush
        let result = try await CLI.audit(try site.arguments(config: config, answers: answers))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try await site.pushFailures == ["timed out after 1 s"])
        #expect(try await site.pushCompletions == ["4007"], "the retry, which does not hang, completes")
        // Nothing of the hung flasher's group runs on behind the run (a member may linger as a zombie until
        // init reaps it, which is not running).
        let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmed))
        #expect(try Self.runningMembers(ofGroup: pid).isEmpty)
    }

    @Test func aFlasherKilledHalfwayIsAFailedPushAndTheRetryFinishes() async throws {
        let site = try Site()
        let pidFile = site.path("flasher.pid")
        let config = try site.config(["--hang-at", "60", "--pid-file", pidFile, "--once", site.path("killed-once")])
        let answers = Self.beforePush + Self.unitCheck + Self.afterPush
        let arguments = try site.arguments(config: config, answers: answers)
        async let run = CLI.audit(arguments)
        let pid = try await Self.waitForPID(in: pidFile)
        #expect(kill(-pid, SIGKILL) == 0)
        let result = try await run
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try await site.pushFailures == ["killed by signal 9: S1 stopped answering at 60%"])
        #expect(try await site.pushCompletions == ["4007"])
        #expect(RunFixtures.verdicts(result.stdout).values.allSatisfy { $0 == "PASS" }, "\(result.stdout)")
    }

    @Test func aRunKilledWithItsFlasherResumesAndSettlesThePush() async throws {
        let site = try Site()
        let pidFile = site.path("flasher.pid")
        let config = try site.config(["--hang-at", "60", "--pid-file", pidFile, "--once", site.path("killed-once")])
        let arguments = try site.arguments(config: config, answers: Self.beforePush)
        async let run = CLI.audit(arguments)
        let pid = try await Self.waitForPID(in: pidFile)
        // The run first (its SIGKILL is pending before the flasher's end could be seen), then the flasher's group.
        let auditPID = try Self.parent(of: pid)
        #expect(kill(auditPID, SIGKILL) == 0)
        #expect(kill(-pid, SIGKILL) == 0)
        let killed = try await run
        #expect(killed.wasKilled(by: SIGKILL), "\(killed.status) \(killed.stderr)")
        // The push is on record as started, with no outcome: the kill came before the run could see one.
        #expect(try await RunFixtures.eventCount(site.db, type: "firmware.push_started") == 1)
        #expect(try await site.pushFailures.isEmpty)
        #expect(try await site.pushCompletions.isEmpty)
        // The same command resumes: the push in flight is settled from the version the unit reads, then retried.
        let resumed = try await CLI.audit(
            try site.arguments(config: config, answers: Self.unitCheck + Self.afterPush, register: false))
        #expect(resumed.status == 0, "\(resumed.stderr)\n\(resumed.stdout)")
        #expect(resumed.stdout.contains("the interrupted push did not complete (reads 4006)"), "\(resumed.stdout)")
        #expect(try await site.pushFailures == ["outcome unknown after interruption; version reads 4006"])
        #expect(try await site.pushCompletions == ["4007"])
        #expect(RunFixtures.verdicts(resumed.stdout).values.allSatisfy { $0 == "PASS" }, "\(resumed.stdout)")
        #expect(try await CLI.audit(["verify", "--db", site.db]).status == 0)
    }

    /// The process id a hanging flasher writes, awaited without blocking; fails after 60 s.
    static func waitForPID(in path: String) async throws -> Int32 {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            // The flasher writes the file whole and renames it into place: once it exists, it is complete.
            if FileManager.default.fileExists(atPath: path) {
                return try #require(Int32(try String(contentsOfFile: path, encoding: .utf8).trimmed))
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw WaitTimedOut(path: path)
    }

    struct WaitTimedOut: Error, CustomStringConvertible {
        let path: String
        var description: String { "the flasher never wrote \(path)" }
    }

    /// The processes of group `group` that are not zombies, from /proc/PID/stat: "pid (comm) state ppid pgrp ...".
    static func runningMembers(ofGroup group: Int32) throws -> [Int32] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc").compactMap { Int32($0) }.filter { pid in
            // A process that ended between the listing and this read is not running.
            guard let stat = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return false }
            let text = String(decoding: stat, as: UTF8.self)
            guard let close = text.lastIndex(of: ")") else { return false }
            let fields = text[text.index(after: close)...].split(separator: " ")
            return fields.count > 2 && fields[0] != "Z" && Int32(fields[2]) == group
        }
    }

    /// The parent process id from /proc: the flasher's parent is the `audit run` that started it.
    static func parent(of pid: Int32) throws -> Int32 {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("PPid:") })
        return try #require(Int32(line.dropFirst("PPid:".count).trimmingCharacters(in: .whitespaces)))
    }
}

extension String {
    fileprivate var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
