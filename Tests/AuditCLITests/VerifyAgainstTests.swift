import AuditTestSupport
import Foundation
import Testing

/// `audit verify --against` through the binary: the consistency proof from the report's checkpoint, and the three
/// refusals an independent verifier found wrong (an omitted event, an altered head, an edited embedded payload).
@Suite struct VerifyAgainstTests {
    typealias Fixture = ReportTamperTests.Fixture

    func verify(_ fixture: borrowing Fixture, json: Bool = false) async throws -> ProcessResult {
        try await CLI.audit(
            ["verify", "--db", fixture.db, "--against", fixture.report + "/report.json"]
                + (json ? ["--format", "json"] : []))
    }

    /// The `against` member of `verify --format json`'s one stdout line.
    func against(_ result: ProcessResult) throws -> [String: Any] {
        #expect(result.stdoutLines.count == 1, "\(result.stdout)")
        let line = try #require(result.stdoutLines.last)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        return try #require(object["against"] as? [String: Any])
    }

    /// Refused with exit 1 and `message` as the one stderr line, and no claim of a match in either format.
    func expectRefused(
        _ fixture: borrowing Fixture, _ message: String, sourceLocation: SourceLocation = #_sourceLocation
    )
        async throws
    {
        let text = try await verify(fixture)
        #expect(text.status == 1, sourceLocation: sourceLocation)
        #expect(text.stderr == "audit: \(message)\n", sourceLocation: sourceLocation)
        #expect(text.stdoutLines.first?.hasPrefix("intact: 86 events, head ") == true, sourceLocation: sourceLocation)
        #expect(!text.stdout.contains("matches"), "\(text.stdout)", sourceLocation: sourceLocation)
        let json = try await verify(fixture, json: true)
        #expect(json.status == 1, sourceLocation: sourceLocation)
        let against = try against(json)
        #expect(against["matches"] as? Bool == false, sourceLocation: sourceLocation)
        #expect(against["mismatch"] as? String == message, sourceLocation: sourceLocation)
        let error = try JSONSerialization.jsonObject(with: Data(json.stderr.utf8)) as? [String: Any]
        let failure = try #require(error?["error"] as? [String: Any], sourceLocation: sourceLocation)
        #expect(failure["message"] as? String == message, sourceLocation: sourceLocation)
        #expect((failure["exit"] as? NSNumber)?.intValue == 1, sourceLocation: sourceLocation)
    }

    /// Appends `count` events of another site, as work recorded after the report would be.
    func appendLater(_ db: String, count: Int) async throws {
        let lines = (1...count).map { #"{"site":"site-2","type":"reading.taken","data":{"n":\#($0)}}"# }
        let result = try await CLI.audit(["append", "--db", db, "--jsonl", "-"], stdin: lines.joined(separator: "\n"))
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func aLogThatGrewSinceTheReportMatchesByAConsistencyProof() async throws {
        let fixture = try await Fixture()
        try await appendLater(fixture.db, count: 3)
        let json = try await verify(fixture, json: true)
        #expect(json.status == 0, "\(json.stderr)")
        #expect(json.stderr.isEmpty)
        let against = try against(json)
        #expect(against["matches"] as? Bool == true)
        #expect(against["mismatch"] is NSNull)
        #expect((against["size"] as? NSNumber)?.intValue == 86)
        #expect((against["log_size"] as? NSNumber)?.intValue == 89)
        let proof = try #require(against["consistency_proof"] as? [String])
        #expect(!proof.isEmpty && proof.allSatisfy { $0.count == 64 })
        #expect(against["log_root"] as? String != against["root"] as? String)
        let text = try await verify(fixture)
        #expect(text.status == 0, "\(text.stderr)")
        let line = try #require(text.stdoutLines.first { $0.hasPrefix("matches the report: ") })
        #expect(line.contains("its 86 events still have root \(against["root"] as? String ?? "?")"))
        #expect(line.hasSuffix("proven a prefix of the log's 89 (root \(against["log_root"] as? String ?? "?"))"))
    }

    @Test func aLogRewrittenWithEveryLaterHashRecomputedHasNoConsistencyProof() async throws {
        let fixture = try await Fixture()
        let root = try #require(try await verify(fixture, json: true).stdoutLines.last)
        let reportRoot = try #require(
            (try JSONSerialization.jsonObject(with: Data(root.utf8)) as? [String: Any])
                .flatMap { $0["against"] as? [String: Any] }?["root"] as? String)
        let reseal = try await CLI.run("python3", ["-c", Self.resealScript, fixture.db, "29"])
        #expect(reseal.status == 0, "\(reseal.stderr)")
        try await appendLater(fixture.db, count: 2)
        // The chain alone is intact again: only the consistency proof shows the rewrite.
        let chain = try await CLI.audit(["verify", "--db", fixture.db])
        #expect(chain.status == 0, "\(chain.stderr)")
        // The log's root as its signed checkpoint note states it (base64, line 3).
        let note = try await CLI.audit(["checkpoint", "--db", fixture.db, "--key", fixture.keys.privateKey])
        #expect(note.status == 0, "\(note.stderr)")
        let noteLines = note.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        try #require(noteLines.count > 2 && noteLines[1] == "88")
        let logRoot = try #require(Data(base64Encoded: String(noteLines[2]))).map { String(format: "%02x", $0) }
            .joined()
        let text = try await verify(fixture)
        #expect(text.status == 1)
        #expect(
            text.stderr.hasPrefix(
                "audit: the log no longer matches the report: the log was rewritten: no consistency proof leads "
                    + "from the checkpoint's 86 events (root \(reportRoot)) to the log's 88 (root "),
            "\(text.stderr)")
        #expect(text.stderrLines.count == 1)
        #expect(!text.stdout.contains("matches"))
        let json = try await verify(fixture, json: true)
        let against = try against(json)
        #expect(against["matches"] as? Bool == false)
        #expect((against["log_size"] as? NSNumber)?.intValue == 88)
        #expect(against["log_root"] as? String == logRoot)
        #expect(against["consistency_proof"] is [String])
    }

    @Test func aReportThatOmitsAnEventOfItsSiteDoesNotClaimAMatch() async throws {
        let fixture = try await Fixture()
        try await editReport(fixture.report, #"report["events"].pop()"#)
        try await expectRefused(fixture, "the report omits event seq 86 of site 'site-1'")
    }

    @Test func anAlteredHeadIsNamedAsTheHeadNotTheRoot() async throws {
        let fixture = try await Fixture()
        try await editReport(fixture.report, #"report["checkpoint"]["head"] = report["events"][-2]["hash"]"#)
        let heads = try await CLI.run(
            "python3",
            [
                "-c",
                "import json,sys; r=json.load(open(sys.argv[1])); print(r['checkpoint']['head'], r['events'][-1]['hash'])",
                fixture.report + "/report.json",
            ])
        let parts = heads.stdout.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        try #require(parts.count == 2)
        #expect(parts[0] != parts[1])
        try await expectRefused(
            fixture,
            "the log no longer matches the report: the checkpoint's head \(parts[0]) is not the hash of seq 86, "
                + parts[1])
    }

    @Test func anEditedEmbeddedPayloadIsRefusedWithoutTheKey() async throws {
        let fixture = try await Fixture()
        try await editReport(
            fixture.report, #"e = report["events"][11]; e["payload"] = e["payload"][:-1] + ',"zz":1}'"#)
        try await expectRefused(fixture, "the report's event seq 12 differs from the log's row in its payload")
        // The log itself is untouched: the refusal is about the report.
        #expect(try await CLI.audit(["verify", "--db", fixture.db]).status == 0)
    }

    /// Edits seq N's DIP position, then re-seals it and every later row (FORMAT.md §2.3), as a rewriter would.
    static let resealScript = """
        import hashlib, sqlite3, struct, sys
        con = sqlite3.connect(sys.argv[1])
        start = int(sys.argv[2])
        con.execute("DROP TRIGGER events_no_update")
        con.execute("UPDATE events SET payload = replace(payload, 'UDDDDD', 'UUDDDD') WHERE seq = ?", (start,))
        assert con.total_changes == 1 and "UUDDDD" in con.execute("SELECT payload FROM events WHERE seq = ?", (start,)).fetchone()[0]
        def F(v):
            if v is None: return b"\\x00"
            b = v.encode("utf-8"); return b"\\x01" + struct.pack(">I", len(b)) + b
        prev = con.execute("SELECT hash FROM events WHERE seq = ?", (start - 1,)).fetchone()[0]
        rows = con.execute("SELECT seq, event_id, site, stack, type, payload, observed_at, recorded_at, actor FROM events WHERE seq >= ? ORDER BY seq", (start,)).fetchall()
        for row in rows:
            h = hashlib.sha256(bytes.fromhex(prev) + struct.pack(">Q", row[0]) + b"".join(F(v) for v in row[1:])).hexdigest()
            con.execute("UPDATE events SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, h, row[0]))
            prev = h
        con.commit()
        """
}
