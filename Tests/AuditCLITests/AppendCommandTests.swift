import AuditTestSupport
import Foundation
import Testing

@Suite struct AppendCommandTests {
    @Test func initPrintsPathAndLogID() async throws {
        let scratch = try TemporaryDirectory()
        let db = scratch.path("nested/dir/audit.db")
        let result = try await CLI.audit(["init", "--db", db, "--format", "json"])
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: String]
        #expect(object["path"] == db)
        #expect(UUID(uuidString: object["log_id"] ?? "") != nil)
    }

    @Test func theDefaultLogComesFromTheEnvironment() async throws {
        let scratch = try TemporaryDirectory()
        let env = ["AUDIT_DB": scratch.path("env.db")]
        #expect(try await CLI.audit(["init"], environment: env).status == 0)
        #expect(FileManager.default.fileExists(atPath: scratch.path("env.db")))
        let xdg = ["XDG_DATA_HOME": scratch.path("xdg")]
        #expect(try await CLI.audit(["init"], environment: xdg).status == 0)
        #expect(FileManager.default.fileExists(atPath: scratch.path("xdg/audit/audit.db")))
    }

    @Test func jsonOutputGivesSeqAndHashAndRetriesAreIdempotent() async throws {
        let scratch = try TemporaryDirectory()
        let db = try await makeLog(in: scratch, events: 2)
        let id = UUID().uuidString
        let args = [
            "append", "--db", db, "--site", "s", "--type", "reading.taken", "--event-id", id, "--format", "json",
        ]
        let first = try await CLI.audit(args + ["--data", #"{"text":"x"}"#])
        #expect(first.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as! [String: Any]
        #expect((object["seq"] as! NSNumber).intValue == 3)
        #expect((object["hash"] as! String).count == 64)
        let again = try await CLI.audit(args + ["--data", #"{"text":"x"}"#])
        #expect(again.stdout == first.stdout)
        #expect(try await CLI.sqlite(db, "SELECT COUNT(*) FROM events").stdout == "3\n")
        expectOneLineError(
            try await CLI.audit(args + ["--data", #"{"text":"y"}"#]),
            contains: "is already recorded as seq 3 with different content")
    }

    /// Acknowledgements that cannot be written (standard output on a full disk, or closed) are an I/O failure,
    /// not a success: the events stay recorded, and the one line on stderr says both.
    @Test(arguments: ["single", "batch", "per-line"], ["> /dev/full", ">&-"])
    func acknowledgementsThatCannotBeWrittenExit74AndKeepTheEvents(mode: String, output: String) async throws {
        let scratch = try TemporaryDirectory()
        let db = try await makeLog(in: scratch, events: 0)
        let input = scratch.path("batch.jsonl")
        try Data((#"{"site":"a","type":"x"}"# + "\n" + #"{"site":"b","type":"y"}"# + "\n").utf8)
            .write(to: URL(fileURLWithPath: input))
        let arguments =
            switch mode {
            case "single": ["append", "--db", db, "--site", "a", "--type", "x"]
            case "batch": ["append", "--db", db, "--jsonl", input]
            default: ["append", "--db", db, "--jsonl", input, "--per-line"]
            }
        let result = try await CLI.run(
            "/bin/sh", ["-c", #"exec "$0" "$@" "# + output, CLI.auditPath] + arguments)
        #expect(result.status == 74)
        let reason = output == ">&-" ? "Bad file descriptor" : "No space left on device"
        expectOneLineError(result, contains: "standard output: cannot write the acknowledgements (\(reason))")
        let recorded =
            switch mode {
            case "single": "the event is recorded"
            case "batch": "the events are recorded"
            default: "line 1: standard output: cannot write the acknowledgements"
            }
        #expect(result.stderr.contains(recorded))
        // A per-line feed stops at the first line it cannot acknowledge; that line stays committed.
        let count = try await CLI.sqlite(db, "SELECT COUNT(*) FROM events").stdout
        #expect(count == (mode == "batch" ? "2\n" : "1\n"))
    }

    /// A batch's acknowledgements are written as bytes: each line must still be what the single append prints.
    @Test func aBatchAcknowledgesEachLineInOrderInTextAndJSON() async throws {
        let scratch = try TemporaryDirectory()
        let db = try await makeLog(in: scratch, events: 0)
        let id = UUID().uuidString.lowercased()
        let logged = #"{"site":"a","type":"x","event_id":"\#(id)"}"#
        let first = try await CLI.audit(["append", "--db", db, "--jsonl", "-", "--format", "json"], stdin: logged)
        #expect(first.status == 0)
        let hashes = { (seq: Int) async throws -> String in
            try await CLI.sqlite(db, "SELECT hash FROM events WHERE seq = \(seq)").stdout
                .trimmingCharacters(in: .newlines)
        }
        #expect(first.stdout == #"{"hash":"\#(try await hashes(1))","seq":1}"# + "\n")
        let batch = [#"{"site":"a","type":"y"}"#, logged, #"{"site":"b","type":"z"}"#].joined(separator: "\n")
        let text = try await CLI.audit(["append", "--db", db, "--jsonl", "-"], stdin: batch)
        #expect(text.status == 0)
        let (one, two, three) = (try await hashes(1), try await hashes(2), try await hashes(3))
        #expect(
            text.stdout
                == "recorded seq 2 hash \(two)\nalready recorded seq 1 hash \(one)\nrecorded seq 3 hash \(three)\n")
        #expect(text.stderr.isEmpty)
    }

    @Test func oneIDOnTwoLinesOfABatchNamesBothLinesAndRecordsNothing() async throws {
        let scratch = try TemporaryDirectory()
        let db = try await makeLog(in: scratch, events: 2)
        let id = UUID().uuidString.lowercased()
        let batch = [
            #"{"site":"a","type":"x"}"#,
            #"{"site":"a","type":"x","event_id":"\#(id)","data":{"n":1}}"#,
            "",
            #"{"site":"a","type":"x","event_id":"\#(id)","data":{"n":2}}"#,
        ].joined(separator: "\n")
        let result = try await CLI.audit(["append", "--db", db, "--jsonl", "-"], stdin: batch)
        expectOneLineError(result, contains: "stdin: line 4: event id \(id) appears twice in this batch, lines 2 and 4")
        #expect(result.status == 65)
        #expect(!result.stderr.contains("seq"))
        #expect(try await CLI.sqlite(db, "SELECT COUNT(*) FROM events").stdout == "2\n")
    }

    @Test func logListsAndFiltersEvents() async throws {
        let scratch = try TemporaryDirectory()
        let db = try await makeLog(in: scratch, events: 0)
        let batch = [
            #"{"site":"a","type":"x","stack":"S1","observed_at":"2026-11-25T09:00:00+01:00","actor":"ann"}"#,
            #"{"site":"b","type":"x"}"#,
            #"{"site":"a","type":"y","data":{"k":"v"}}"#,
        ].joined(separator: "\n")
        #expect(try await CLI.audit(["append", "--db", db, "--jsonl", "-"], stdin: batch).status == 0)
        let json = try await CLI.audit(["log", "--db", db, "--site", "a", "--format", "json"])
        let objects = try json.stdoutLines.map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        #expect(objects.map { ($0["seq"] as! NSNumber).intValue } == [1, 3])
        #expect(objects[0]["observed_at"] as? String == "2026-11-25T08:00:00.000Z")
        #expect(objects[0]["actor"] as? String == "ann")
        #expect(objects[0]["stack"] as? String == "S1")
        #expect(objects[1]["stack"] is NSNull)
        #expect((objects[1]["data"] as? [String: String]) == ["k": "v"])
        for key in ["event_id", "site", "type", "recorded_at", "hash", "prev_hash"] { #expect(objects[0][key] != nil) }
        let text = try await CLI.audit(["log", "--db", db, "--after", "1", "--limit", "1"])
        #expect(text.stdoutLines.count == 2)
        #expect(text.stdoutLines[1].hasPrefix("2 "))
    }
}
