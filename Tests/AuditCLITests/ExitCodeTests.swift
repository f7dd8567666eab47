import AuditCore
import AuditCrypto
import AuditDomain
import AuditLog
import Foundation
import Testing

@testable import audit

/// The exit-code table of README.md "Exit codes", case by case through the real binary: the status, the one
/// line on stderr, and a log left exactly as it was.
@Suite struct ExitCodeTests {
    /// A log with a scenario site `site-1`, a registered site `p` (S1, S2), a key pair, and input files.
    struct Fixture: ~Copyable {
        let scratch: Scratch
        let db: String

        init() throws {
            // Every throwing step runs before the noncopyable scratch is moved into self.
            let scratch = try Scratch()
            let db = scratch.path("audit.db")
            let log = SiteLog(try SQLiteEventStore.create(at: db))
            _ = try log.append(ScenarioBuilder(site: "site-1").build().drafts)
            let registration = SiteRegistered(
                model: DeviceModel(name: "BMS", addrPins: 6, invPins: 6),
                stacks: [
                    StackIdentity(id: "S1", serial: "A", order: 1), StackIdentity(id: "S2", serial: "B", order: 2),
                ])
            _ = try log.record(.siteRegistered(registration), site: "p", actor: "t")
            _ = try KeyFiles.write(
                privateKey: try Ed25519PrivateKey.generate(), to: scratch.url.appending(path: "keys"))
            try "{not json\n".write(toFile: scratch.path("bad.jsonl"), atomically: true, encoding: .utf8)
            try Data().write(to: scratch.url.appending(path: "empty.db"))
            try FileManager.default.createDirectory(
                at: scratch.url.appending(path: "full"), withIntermediateDirectories: true)
            try "keep".write(toFile: scratch.path("full/notes.txt"), atomically: true, encoding: .utf8)
            self.db = db
            self.scratch = scratch
        }

        func expand(_ arguments: [String]) -> [String] {
            arguments.map {
                $0.replacingOccurrences(of: "{db}", with: db).replacingOccurrences(of: "{dir}", with: scratch.url.path)
            }
        }

        /// The log's size and head hash: equal before and after means nothing was recorded.
        func head() throws -> String {
            let head = try SQLiteEventStore.open(at: db).head()
            return "\(head.size) \(head.hash.hex)"
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var status: Int32
        var fragment: String
        /// A text the message must not hold (a wrong count, a name the user never typed).
        var absent: String?

        init(_ arguments: [String], _ status: SysExit, _ fragment: String, absent: String? = nil) {
            self.arguments = arguments
            self.status = status.rawValue
            self.fragment = fragment
            self.absent = absent
        }

        var testDescription: String { "\(status): \(arguments.prefix(2).joined(separator: " ")) → \(fragment)" }
    }

    static let cases: [Case] = [
        // 64: the command line cannot be parsed.
        Case(["log", "--db", "{db}", "--bogus"], .usage, "Unknown option '--bogus'"),
        Case(["check", "--db", "{db}"], .usage, "Missing expected argument '--site <site>'"),
        Case(["demo", "--db", "{dir}/demo.db", "--stacks", "abc"], .usage, "The value 'abc' is invalid for '--stacks"),
        Case(["log", "--db", "{db}", "--limit", "0"], .usage, "--limit must be 1 or more"),
        Case(["frobnicate"], .usage, "frobnicate"),
        // 65: input that parses but is not valid.
        Case(
            ["append", "--db", "{db}", "--site", "s", "--type", "t", "--data", "{bad"], .invalidInput,
            "--data is not valid JSON"),
        Case(
            ["append", "--db", "{db}", "--jsonl", "{dir}/bad.jsonl"], .invalidInput, "bad.jsonl: line 1: malformed JSON"
        ),
        Case(
            ["append", "--db", "{db}", "--jsonl", "{dir}/bad.jsonl", "--per-line"], .invalidInput,
            "bad.jsonl: line 1: malformed JSON"),
        Case(
            [
                "record", "dip", "--db", "{db}", "--site", "p", "--stack", "S1", "--bank", "addr", "--position",
                "UXDDDD",
            ],
            .invalidInput, "pin 2 of DIP position 'UXDDDD' must be U or D"),
        Case(
            ["record", "dip", "--db", "{db}", "--site", "p", "--stack", "S1", "--bank", "addr", "--position", "UDD"],
            .invalidInput, "DIP position 'UDD' has 3 pins; this bank has 6"),
        Case(
            ["record", "dip", "--db", "{db}", "--site", "p", "--stack", "S1", "--bank", "addr", "--position", ""],
            .invalidInput, "DIP position is empty", absent: "has 64"),
        Case(
            ["record", "lcd", "--db", "{db}", "--site", "p", "--stack", "S1", "--code", "hello"], .invalidInput,
            "LCD code 'hello' must be a number as shown (e.g. 62 or 1), ERROR n (e.g. ERROR 19), or BLANK"),
        Case(
            ["record", "lcd", "--db", "{db}", "--site", "p", "--stack", "S1", "--code", ""], .invalidInput,
            "LCD code '' must be a number as shown (e.g. 62 or 1), ERROR n (e.g. ERROR 19), or BLANK"),
        Case(
            ["append", "--db", "{db}", "--site", "p", "--type", "custom.thing"], .invalidInput,
            "'custom.thing' is not one of its event types"),
        Case(
            ["record", "note", "--db", "{db}", "--site", "p", "--text", "hi", "--observed-at", "yesterday"],
            .invalidInput, "--observed-at 'yesterday' is not an RFC 3339 time"),
        Case(
            ["log", "--db", "{dir}/empty.db"], .invalidInput, "empty.db is not an audit log: it is empty (0 bytes)",
            absent: "another application"),
        // A fault is one of a fixed list of words, like an option's enum value: a usage error (64).
        Case(
            ["demo", "--db", "{dir}/demo.db", "--fault", "bogus"], .usage,
            "invalid fault 'bogus': unknown fault",
            absent: "bogus:S"),
        // 66: something named does not exist.
        Case(["log", "--db", "{dir}/none.db"], .notFound, "no audit log at"),
        Case(["check", "--db", "{db}", "--site", "nosuch"], .notFound, "unknown site 'nosuch'"),
        Case(["status", "--db", "{db}", "--site", "nosuch"], .notFound, "unknown site 'nosuch'"),
        Case(["log", "--db", "{db}", "--site", "nosuch"], .notFound, "unknown site 'nosuch'"),
        Case(
            ["record", "power", "--db", "{db}", "--site", "nosuch", "--stack", "S1", "--state", "on"], .notFound,
            "unknown site 'nosuch' (register it first"),
        Case(
            ["record", "power", "--db", "{db}", "--site", "p", "--stack", "S9", "--state", "on"], .notFound,
            "stack 'S9' is not registered at this site"),
        Case(
            ["record", "step", "--db", "{db}", "--site", "p", "--step", "isolate.dance"], .notFound,
            "step 'isolate.dance' is not in procedure stacks-in-parallel 2023-10-27; its steps are "
                + "prepare.record-originals, isolate.power-off,"),
        Case(
            ["verify-report", "{dir}/nowhere", "--pubkey", "{dir}/keys/signing-key.pub.pem"], .notFound,
            "nowhere/report.json failed: missing or unreadable"),
        Case(
            ["report", "--db", "{db}", "--site", "site-1", "--key", "{dir}/none.pem", "--out", "{dir}/r"], .notFound,
            "none.pem"),
        Case(
            ["report", "--db", "{db}", "--site", "nosuch", "--key", "{dir}/keys/signing-key.pem", "--out", "{dir}/r"],
            .notFound, "no events are recorded for site 'nosuch'"),
        Case(["append", "--db", "{db}", "--jsonl", "{dir}/missing.jsonl"], .notFound, "cannot read it: no such file"),
        // 73: refusing to overwrite.
        Case(["init", "--db", "{db}"], .refusingToOverwrite, "already exists"),
        Case(["keygen", "--out", "{dir}/keys"], .refusingToOverwrite, "refusing to overwrite existing key file"),
        Case(
            [
                "report", "--db", "{db}", "--site", "site-1", "--key", "{dir}/keys/signing-key.pem", "--out",
                "{dir}/full",
            ],
            .refusingToOverwrite, "already exists and is not empty"),
        Case(
            ["record", "site", "--db", "{db}", "--site", "p", "--stacks", "S1:X"], .refusingToOverwrite,
            "site 'p' is already registered (seq "),
    ]

    @Test(arguments: cases)
    func eachFailureExitsWithItsStatusOnOneLineAndRecordsNothing(_ testCase: Case) async throws {
        let fixture = try Fixture()
        let before = try fixture.head()
        let result = try await CLI.audit(fixture.expand(testCase.arguments))
        #expect(result.status == testCase.status, "stderr: \(result.stderr)")
        #expect(result.stderrLines.count == 1, "stderr: \(result.stderr)")
        #expect(result.stderr.hasPrefix("audit: "), "stderr: \(result.stderr)")
        #expect(result.stderr.contains(testCase.fragment), "stderr: \(result.stderr)")
        if let absent = testCase.absent { #expect(!result.stderr.contains(absent), "stderr: \(result.stderr)") }
        #expect(try fixture.head() == before)
        // A refused demo leaves no log (nor its image) behind.
        #expect(!FileManager.default.fileExists(atPath: fixture.scratch.path("demo.db")))
        #expect(!FileManager.default.fileExists(atPath: fixture.scratch.path("r")))
    }

    /// With no stderr at all (`2>&-`), a failure still exits with its status and records nothing: writing the
    /// line through FileHandle trapped (SIGILL, 132) instead.
    @Test(arguments: cases)
    func eachFailureKeepsItsStatusWithStandardErrorClosed(_ testCase: Case) async throws {
        let fixture = try Fixture()
        let before = try fixture.head()
        let result = try await CLI.run(
            "/bin/sh", ["-c", #"exec "$0" "$@" 2>&-"#, CLI.auditPath] + fixture.expand(testCase.arguments))
        #expect(result.status == testCase.status, "stderr: \(result.stderr)")
        #expect(result.stderr.isEmpty)
        #expect(try fixture.head() == before)
    }

    @Test func success() async throws {
        let fixture = try Fixture()
        let result = try await CLI.audit([
            "record", "power", "--db", fixture.db, "--site", "p", "--stack", "S1", "--state", "on",
        ])
        #expect(result.status == SysExit.success.rawValue, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        #expect(result.stdout.hasPrefix("recorded power.observed seq "))
    }

    @Test func aFailedCheckIsANoWithTheFindingsOnStdoutAndNothingOnStderr() async throws {
        let fixture = try Fixture()
        let before = try fixture.head()
        let result = try await CLI.audit(["check", "--db", fixture.db, "--site", "p"])
        #expect(result.status == SysExit.no.rawValue)
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        #expect(result.stdoutLines.last?.hasPrefix("verdict: FAIL") == true, "\(result.stdout)")
        #expect(try fixture.head() == before)
    }

    @Test func aBrokenChainIsANo() async throws {
        let fixture = try Fixture()
        _ = try await CLI.sqlite(
            fixture.db,
            TamperTests.dropTriggers + #"UPDATE events SET payload = '{"n":1}' WHERE seq = 3"#)
        let result = try await CLI.audit(["verify", "--db", fixture.db])
        #expect(result.status == SysExit.no.rawValue)
        #expect(
            result.stderrLines == [
                "audit: chain broken at seq 3: content changed: the row no longer hashes to its stored hash"
            ])
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self")))
    func aFileSystemThatRefusesWritesIsAnIOError() async throws {
        let result = try await CLI.audit(["init", "--db", "/proc/audit-\(UUID().uuidString)/audit.db"])
        #expect(result.status == SysExit.ioError.rawValue, "\(result.stderr)")
        #expect(result.stderrLines.count == 1)
        #expect(result.stderr.hasPrefix("audit: database error: /proc/audit-"), "\(result.stderr)")
    }

    /// No command can be made to fail with a bug on purpose: the mapping itself is checked for foreign errors.
    @Test func anErrorThatIsNoAuditFailureIsAnInternalError() {
        struct Unexpected: Error {}
        let (status, message) = ErrorOutput.present(Unexpected(), command: AuditCommand.self)
        #expect(status == .internalError)
        #expect(message.contains("Unexpected"))
        #expect(
            ErrorOutput.present(PresentedFailure(.notFound, "gone"), command: AuditCommand.self) == (.notFound, "gone"))
    }

    @Test func anEmptyBatchIsZeroEvents() async throws {
        let fixture = try Fixture()
        let before = try fixture.head()
        let result = try await CLI.audit(["append", "--db", fixture.db, "--jsonl", "/dev/null"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty && result.stderr.isEmpty)
        #expect(try fixture.head() == before)
    }
}

/// With `--format json` anywhere on the command line, an error is one canonical JSON object on stderr.
@Suite struct JSONErrorTests {
    @Test(arguments: [
        (["check", "--db", "{db}", "--site", "nosuch", "--format", "json"], SysExit.notFound),
        (["--format", "json", "check", "--db", "{db}", "--site", "nosuch"], SysExit.usage),
        (["log", "--db", "{db}", "--limit", "abc", "--format=json"], SysExit.usage),
        (
            [
                "record", "dip", "--db", "{db}", "--site", "p", "--stack", "S1", "--bank", "addr", "--position", "UDD",
                "--format", "json",
            ], SysExit.invalidInput
        ),
        (["init", "--db", "{db}", "--format", "json"], SysExit.refusingToOverwrite),
    ])
    func anErrorIsOneJSONObject(arguments: [String], status: SysExit) async throws {
        let fixture = try ExitCodeTests.Fixture()
        let result = try await CLI.audit(fixture.expand(arguments))
        #expect(result.status == status.rawValue, "\(result.stderr)")
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        let line = try #require(result.stderrLines.first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(Array(object.keys) == ["error"])
        let error = try #require(object["error"] as? [String: Any])
        #expect(Set(error.keys) == ["exit", "kind", "message"])
        #expect((error["exit"] as? NSNumber)?.int32Value == status.rawValue)
        #expect(error["kind"] as? String == status.kind)
        let message = try #require(error["message"] as? String)
        #expect(!message.isEmpty && !message.hasPrefix("audit:"))
        // Canonical: sorted keys, no spaces, the same bytes the log's own JSON writer makes.
        #expect(
            line
                == #"{"error":{"exit":\#(status.rawValue),"kind":"\#(status.kind)","message":"#
                + JSONValue.string(message).canonicalText + "}}")
    }

    @Test func theExactObjectForAnUnknownSite() async throws {
        let fixture = try ExitCodeTests.Fixture()
        let result = try await CLI.audit(["check", "--db", fixture.db, "--site", "nosuch", "--format", "json"])
        #expect(
            result.stderr
                == #"{"error":{"exit":66,"kind":"not-found","message":"unknown site 'nosuch': the log has no events for it"}}"#
                + "\n")
        #expect(result.stdout.isEmpty)
    }
}
