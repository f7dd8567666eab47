import AuditTestSupport
import Foundation
import Testing

/// Every bad input: one line on stderr, a non-zero exit, and the log exactly as it was.
@Suite struct BadInputTests {
    func snapshot(_ db: String) async throws -> String {
        try await CLI.sqlite(db, "SELECT seq, hash FROM events ORDER BY seq").stdout
    }

    @Test(arguments: [
        (["--site", "s", "--type", "t", "--data", "{bad"], "--data is not valid JSON"),
        (["--site", "s", "--type", "t", "--data", "[1,2]"], "--data must be a JSON object"),
        (["--site", "s", "--type", "t", "--data", #"{"v":1.5}"#], "only integers are allowed"),
        (["--site", "s", "--type", "t", "--bogus"], "Unknown option '--bogus'"),
        (["--site", "s"], "--site and --type are required"),
        (
            ["--site", "s", "--type", "t", "--observed-at", "yesterday"],
            "--observed-at 'yesterday' is not an RFC 3339 time"
        ),
        (["--site", "s", "--type", "t", "--event-id", "nope"], "event id 'nope' is not a UUID"),
        (["--site", "", "--type", "t"], "site must not be empty"),
        (["--site", "s", "--type", "t", "--jsonl", "-"], "--jsonl cannot be combined"),
    ])
    func appendRefusesBadArguments(arguments: [String], message: String) async throws {
        let scratch = try TemporaryDirectory()
        let db = try await makeLog(in: scratch, events: 3)
        let before = try await snapshot(db)
        let result = try await CLI.audit(["append", "--db", db] + arguments)
        expectOneLineError(result, contains: message)
        #expect(try await snapshot(db) == before)
    }

    @Test(arguments: [
        (#"{"site":"s","type":"t"}"# + "\n{not json\n", "line 2: malformed JSON"),
        (#"{"site":"s","type":"t"}"# + "\n" + #"{"site":"s"}"#, "line 2: missing \"type\""),
        (#"{"site":"s","type":"t","color":"red"}"#, "line 1: unknown key \"color\""),
        ("\n\n" + #"{"site":"s","type":"t","data":[1]}"#, "line 3: \"data\" must be a JSON object"),
        (#"{"site":"s","type":"t","observed_at":"noon"}"#, "line 1: observed_at 'noon' is not an RFC 3339 time"),
        ("[1]", "line 1: expected a JSON object"),
    ])
    func aBadJSONLineIsNamedAndNothingIsAppended(input: String, message: String) async throws {
        let scratch = try TemporaryDirectory()
        let db = try await makeLog(in: scratch, events: 3)
        let before = try await snapshot(db)
        let result = try await CLI.audit(["append", "--db", db, "--jsonl", "-"], stdin: input)
        expectOneLineError(result, contains: message)
        #expect(try await snapshot(db) == before)
    }

    @Test func aFileThatIsNotAnAuditLogIsRefusedAndUntouched() async throws {
        let scratch = try TemporaryDirectory()
        let text = scratch.path("notes.txt")
        try "just text\n".write(toFile: text, atomically: true, encoding: .utf8)
        for command in [["log"], ["verify"], ["append", "--site", "s", "--type", "t"]] {
            expectOneLineError(
                try await CLI.audit(command + ["--db", text]),
                contains: "is not an audit log: it is not an SQLite database")
        }
        #expect(try String(contentsOfFile: text, encoding: .utf8) == "just text\n")

        let other = scratch.path("other.db")
        _ = try await CLI.sqlite(other, "CREATE TABLE t(x); INSERT INTO t VALUES (42);")
        let before = try Data(contentsOf: URL(fileURLWithPath: other))
        expectOneLineError(
            try await CLI.audit(["append", "--db", other, "--site", "s", "--type", "t"]),
            contains: "is not an audit log: it is an SQLite database of another application")
        #expect(try Data(contentsOf: URL(fileURLWithPath: other)) == before)
    }

    @Test func aMissingLogIsNamed() async throws {
        let scratch = try TemporaryDirectory()
        expectOneLineError(
            try await CLI.audit(["log", "--db", scratch.path("none.db")]), contains: "no audit log at")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("none.db")))
    }

    @Test func aLogFromANewerSchemaIsRefused() async throws {
        let scratch = try TemporaryDirectory()
        let db = try await makeLog(in: scratch, events: 2)
        _ = try await CLI.sqlite(db, "INSERT INTO grdb_migrations VALUES ('0042_future')")
        expectOneLineError(
            try await CLI.audit(["append", "--db", db, "--site", "s", "--type", "t"]),
            contains: "was written by a newer audit (unknown migration 0042_future)")
        #expect(try await CLI.sqlite(db, "SELECT COUNT(*) FROM events").stdout == "2\n")
    }

    @Test func initRefusesToOverwrite() async throws {
        let scratch = try TemporaryDirectory()
        let db = try await makeLog(in: scratch, events: 2)
        expectOneLineError(try await CLI.audit(["init", "--db", db]), contains: "already exists")
        #expect(try await CLI.sqlite(db, "SELECT COUNT(*) FROM events").stdout == "2\n")
    }

    @Test func badLogOptionsAreUsageErrors() async throws {
        let scratch = try TemporaryDirectory()
        let db = try await makeLog(in: scratch, events: 1)
        expectOneLineError(
            try await CLI.audit(["log", "--db", db, "--limit", "0"]), contains: "--limit must be 1 or more")
        expectOneLineError(try await CLI.audit(["log", "--db", db, "--format", "xml"]), contains: "xml")
        expectOneLineError(try await CLI.audit(["frobnicate"]), contains: "frobnicate")
    }
}

/// Inputs found in review that once crashed or were silently altered.
@Suite struct BadInputEdgeTests {
    @Test(arguments: [
        (["--data", #"{"n":-9223372036854775808}"#], "integer outside ±(2^53 − 1)"),
        (["--observed-at", "0000-01-01T00:00:00+00:01"], "is not an RFC 3339 time"),
        (["--observed-at", "9999-12-31T23:59:30-00:01"], "is not an RFC 3339 time"),
    ])
    func extremesAreRefusedNotCrashedOn(arguments: [String], message: String) async throws {
        let scratch = try TemporaryDirectory()
        let db = try await makeLog(in: scratch, events: 1)
        expectOneLineError(
            try await CLI.audit(["append", "--db", db, "--site", "s", "--type", "t"] + arguments), contains: message)
        #expect(try await CLI.sqlite(db, "SELECT COUNT(*) FROM events").stdout == "1\n")
    }

    @Test func aCRLFFileFedLineByLineKeepsEveryLine() async throws {
        let scratch = try TemporaryDirectory()
        let db = try await makeLog(in: scratch, events: 0)
        let file = scratch.path("feed.jsonl")
        let lines = (1...3).map { #"{"site":"s","type":"reading.taken","data":{"i":\#($0)}}"# }
        try lines.joined(separator: "\r\n").appending("\r\n").write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await CLI.audit(["append", "--db", db, "--jsonl", file, "--per-line"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutLines.count == 3)
        #expect(try await CLI.sqlite(db, "SELECT COUNT(*) FROM events").stdout == "3\n")
    }

    @Test func aRetryMustMatchByteForByte() async throws {
        let scratch = try TemporaryDirectory()
        let db = try await makeLog(in: scratch, events: 0)
        let id = UUID().uuidString
        let base = ["append", "--db", db, "--site", "s", "--type", "reading.taken", "--event-id", id]
        #expect(try await CLI.audit(base + ["--data", "{\"text\":\"caf\u{E9}\"}"]).status == 0)
        expectOneLineError(
            try await CLI.audit(base + ["--data", "{\"text\":\"cafe\u{301}\"}"]), contains: "with different content")
    }
}

/// Generic appends must never leave a registered site that can no longer be rebuilt.
@Suite struct AppendAdmissionTests {
    @Test func appendToARegisteredSiteGoesThroughTheSameGateAsRecord() async throws {
        let scratch = try TemporaryDirectory()
        let db = try await makeLog(in: scratch, events: 0)
        #expect(
            try await CLI.audit(["record", "site", "--db", db, "--site", "p", "--stacks", "S1:A,S2:B"]).status == 0)
        expectOneLineError(
            try await CLI.audit(["append", "--db", db, "--site", "p", "--type", "custom.thing"]),
            contains: "site 'p' is registered, and 'custom.thing' is not one of its event types")
        expectOneLineError(
            try await CLI.audit([
                "append", "--db", db, "--site", "p", "--type", "dip.observed", "--stack", "S1", "--data", "{}",
            ]),
            contains: "dip.observed")
        expectOneLineError(
            try await CLI.audit(
                ["append", "--db", db, "--jsonl", "-"],
                stdin: #"{"site":"p","type":"dip.observed","stack":"S1","data":{"v":2,"bank":"addr","position":"UDD"}}"#
            ),
            contains: "has 3 pins; this bank has 6")
        #expect(try await CLI.sqlite(db, "SELECT COUNT(*) FROM events").stdout == "1\n")
        #expect(
            try await CLI.audit(["append", "--db", db, "--site", "elsewhere", "--type", "custom.thing"]).status == 0)
        #expect(try await CLI.audit(["status", "--db", db, "--site", "p"]).status == 0)
    }

    @Test func concurrentRegistrationsRegisterOnce() async throws {
        let scratch = try TemporaryDirectory()
        let db = try await makeLog(in: scratch, events: 0)
        let statuses = try await withThrowingTaskGroup(of: Int32.self) { group in
            for index in 0..<4 {
                group.addTask {
                    try await CLI.audit([
                        "record", "site", "--db", db, "--site", "p", "--stacks", "S1:A\(index),S2:B\(index)",
                    ]).status
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 0 }.count == 1, "\(statuses)")
        #expect(try await CLI.sqlite(db, "SELECT COUNT(*) FROM events WHERE type = 'site.registered'").stdout == "1\n")
    }
}
