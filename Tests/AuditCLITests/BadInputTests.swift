import Foundation
import Testing

/// Every bad input: one line on stderr, a non-zero exit, and the log exactly as it was.
@Suite struct BadInputTests {
    func snapshot(_ db: String) throws -> String {
        try CLI.sqlite(db, "SELECT seq, hash FROM events ORDER BY seq").stdout
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
    func appendRefusesBadArguments(arguments: [String], message: String) throws {
        let scratch = try Scratch()
        let db = try makeLog(in: scratch, events: 3)
        let before = try snapshot(db)
        let result = try CLI.audit(["append", "--db", db] + arguments)
        expectOneLineError(result, contains: message)
        #expect(try snapshot(db) == before)
    }

    @Test(arguments: [
        (#"{"site":"s","type":"t"}"# + "\n{not json\n", "line 2: malformed JSON"),
        (#"{"site":"s","type":"t"}"# + "\n" + #"{"site":"s"}"#, "line 2: missing \"type\""),
        (#"{"site":"s","type":"t","color":"red"}"#, "line 1: unknown key \"color\""),
        ("\n\n" + #"{"site":"s","type":"t","data":[1]}"#, "line 3: \"data\" must be a JSON object"),
        (#"{"site":"s","type":"t","observed_at":"noon"}"#, "line 1: observed_at 'noon' is not an RFC 3339 time"),
        ("[1]", "line 1: expected a JSON object"),
    ])
    func aBadJSONLineIsNamedAndNothingIsAppended(input: String, message: String) throws {
        let scratch = try Scratch()
        let db = try makeLog(in: scratch, events: 3)
        let before = try snapshot(db)
        let result = try CLI.audit(["append", "--db", db, "--jsonl", "-"], stdin: input)
        expectOneLineError(result, contains: message)
        #expect(try snapshot(db) == before)
    }

    @Test func aFileThatIsNotAnAuditLogIsRefusedAndUntouched() throws {
        let scratch = try Scratch()
        let text = scratch.path("notes.txt")
        try "just text\n".write(toFile: text, atomically: true, encoding: .utf8)
        for command in [["log"], ["verify"], ["append", "--site", "s", "--type", "t"]] {
            expectOneLineError(
                try CLI.audit(command + ["--db", text]), contains: "is not an audit log: it is not an SQLite database")
        }
        #expect(try String(contentsOfFile: text, encoding: .utf8) == "just text\n")

        let other = scratch.path("other.db")
        _ = try CLI.sqlite(other, "CREATE TABLE t(x); INSERT INTO t VALUES (42);")
        let before = try Data(contentsOf: URL(fileURLWithPath: other))
        expectOneLineError(
            try CLI.audit(["append", "--db", other, "--site", "s", "--type", "t"]),
            contains: "is not an audit log: it is an SQLite database of another application")
        #expect(try Data(contentsOf: URL(fileURLWithPath: other)) == before)
    }

    @Test func aMissingLogIsNamed() throws {
        let scratch = try Scratch()
        expectOneLineError(
            try CLI.audit(["log", "--db", scratch.path("none.db")]), contains: "no audit log at")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("none.db")))
    }

    @Test func aLogFromANewerSchemaIsRefused() throws {
        let scratch = try Scratch()
        let db = try makeLog(in: scratch, events: 2)
        _ = try CLI.sqlite(db, "INSERT INTO grdb_migrations VALUES ('0042_future')")
        expectOneLineError(
            try CLI.audit(["append", "--db", db, "--site", "s", "--type", "t"]),
            contains: "was written by a newer audit (unknown migration 0042_future)")
        #expect(try CLI.sqlite(db, "SELECT COUNT(*) FROM events").stdout == "2\n")
    }

    @Test func initRefusesToOverwrite() throws {
        let scratch = try Scratch()
        let db = try makeLog(in: scratch, events: 2)
        expectOneLineError(try CLI.audit(["init", "--db", db]), contains: "already exists")
        #expect(try CLI.sqlite(db, "SELECT COUNT(*) FROM events").stdout == "2\n")
    }

    @Test func badLogOptionsAreUsageErrors() throws {
        let scratch = try Scratch()
        let db = try makeLog(in: scratch, events: 1)
        expectOneLineError(try CLI.audit(["log", "--db", db, "--limit", "0"]), contains: "--limit must be 1 or more")
        expectOneLineError(try CLI.audit(["log", "--db", db, "--format", "xml"]), contains: "xml")
        expectOneLineError(try CLI.audit(["frobnicate"]), contains: "frobnicate")
    }
}
