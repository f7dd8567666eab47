import AuditTestSupport
import Foundation
import Testing

/// Invalid UTF-8 anywhere is refused (exit 65) and nothing is recorded; JSON Lines are cut on `\n` bytes only.
@Suite struct RawInputTests {
    /// Runs `audit` through `sh`, so arguments and variables can hold bytes no Swift String can.
    static func shell(_ script: String, stdin: String? = nil) async throws -> ProcessResult {
        try await CLI.run(
            "/bin/sh", ["-c", "AUDIT='\(CLI.auditPath)'; BAD=$(printf 'a\\377b'); " + script], stdin: stdin)
    }

    static func registeredLog(_ scratch: borrowing TemporaryDirectory) async throws -> String {
        let db = try await makeLog(in: scratch, events: 0)
        let site = try await CLI.audit(["record", "site", "--db", db, "--site", "plant-7", "--stacks", "S1:BMS-1"])
        #expect(site.status == 0, "\(site.stderr)")
        return db
    }

    @Test(arguments: [
        (#""$AUDIT" record note --db "$DB" --site "$BAD" --text t"#, "the value of --site is not valid UTF-8"),
        (
            #""$AUDIT" record note --db "$DB" --site plant-7 --text t --actor "$BAD""#,
            "the value of --actor is not valid UTF-8"
        ),
        (#""$AUDIT" record note --db "$DB" --site plant-7 --text "$BAD""#, "the value of --text is not valid UTF-8"),
        (
            #""$AUDIT" append --db "$DB" --site s --type x.y --data "{\"t\":\"$BAD\"}""#,
            "the value of --data is not valid UTF-8"
        ),
        (
            #"AUDIT_ACTOR="$BAD" "$AUDIT" record note --db "$DB" --site plant-7 --text t"#,
            "AUDIT_ACTOR is not valid UTF-8"
        ),
        (#""$AUDIT" append --db "$DB" --site s --type x.y "--data={\"t\":\"$BAD\"}""#, "argument 8 is not valid UTF-8"),
    ])
    func anArgumentOrVariableThatIsNotUTF8IsRefused(script: String, fragment: String) async throws {
        let scratch = try TemporaryDirectory()
        let db = try await Self.registeredLog(scratch)
        let result = try await Self.shell("DB='\(db)'; " + script)
        expectOneLineError(result, contains: fragment)
        #expect(result.status == 65)
        #expect(try await RunFixtures.eventCount(db) == 1)
    }

    @Test(arguments: [
        "--jsonl \"$F\"", "--jsonl - < \"$F\"", "--jsonl \"$F\" --per-line", "--jsonl - --per-line < \"$F\"",
    ])
    func aJSONLinesLineThatIsNotUTF8IsRefusedByNumber(source: String) async throws {
        let scratch = try TemporaryDirectory()
        let db = try await Self.registeredLog(scratch)
        let file = scratch.path("in.jsonl")
        var bytes = Array(#"{"site":"s","type":"x.y","data":{"n":1}}"#.utf8) + [0x0A]
        bytes += Array(#"{"site":"s","type":"x.y","data":{"t":"a"#.utf8) + [0xFF] + Array(#""}}"#.utf8) + [0x0A]
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let result = try await Self.shell("F='\(file)'; \"$AUDIT\" append --db '\(db)' " + source)
        expectOneLineError(result, contains: "line 2: the line is not valid UTF-8")
        #expect(result.status == 65)
        // A batch is all or nothing; --per-line has committed line 1 before it read line 2.
        let expected = source.contains("--per-line") ? 2 : 1
        #expect(try await RunFixtures.eventCount(db) == expected)
        #expect(try await RunFixtures.eventCount(db, type: "x.y") == expected - 1)
    }

    @Test(arguments: ["--jsonl \"$F\" --per-line", "--jsonl - --per-line < \"$F\"", "--jsonl \"$F\""])
    func linesAreCutOnNewlineBytesOnly(source: String) async throws {
        let scratch = try TemporaryDirectory()
        let db = try await Self.registeredLog(scratch)
        let file = scratch.path("in.jsonl")
        // U+2028, U+0085 inside strings; CRLF endings: two lines, two events.
        let text =
            "{\"site\":\"s\",\"type\":\"x.y\",\"data\":{\"t\":\"a\u{2028}b\u{85}c\"}}\r\n"
            + "{\"site\":\"s\",\"type\":\"x.y\",\"data\":{\"n\":2}}\r\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        let result = try await Self.shell("F='\(file)'; \"$AUDIT\" append --db '\(db)' " + source)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutLines.count == 2)
        #expect(try await RunFixtures.eventCount(db, type: "x.y") == 2)
        let stored = try await CLI.sqlite(db, "SELECT payload FROM events WHERE type = 'x.y' ORDER BY seq LIMIT 1")
        #expect(stored.stdout.contains("a\u{2028}b\u{85}c"))
    }

    /// Issue 9: `audit append` accepts generic events, so `audit report`, `check` and `status` read such a site too.
    @Test func aSiteOfGenericEventsIsReportedWithThemInItsEventsAndReadings() async throws {
        let scratch = try TemporaryDirectory()
        let db = try await makeLog(in: scratch, events: 3, site: "site-a")
        let keys = try await makeKeys(in: scratch)
        let folder = try await makeReport(db: db, site: "site-a", key: keys.privateKey, in: scratch)
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/report.json"))
        let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect((report["events"] as? [Any])?.count == 3)
        let readings = try #require(report["readings"] as? [[String: Any]])
        #expect(readings.map { $0["type"] as? String } == ["reading.taken", "reading.taken", "reading.taken"])
        #expect(readings.first?["text"] as? String == #"reading.taken {"n":1}"#)
        #expect(report["verdict"] as? String == "unverifiable")
        let verified = try await CLI.audit(["verify-report", folder, "--pubkey", keys.publicKey])
        #expect(verified.status == 0, "\(verified.stderr)")
        let check = try await CLI.audit(["check", "--db", db, "--site", "site-a"])
        #expect(check.status == 0, "\(check.stderr)")
    }
}
