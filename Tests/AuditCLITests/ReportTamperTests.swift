import Foundation
import Testing

/// Each way a report or its log can be falsified after signing, and the one line that refuses it.
@Suite struct ReportTamperTests {
    /// A failing run (ADDR of one stack left as master), its keys and its signed report.
    struct Fixture: ~Copyable {
        let scratch: Scratch
        let db: String
        let keys: (privateKey: String, publicKey: String)
        let report: String

        init() throws {
            let scratch = try Scratch()
            let db = try makeScenarioLog(in: scratch, deviation: .skipAddrRestore)
            let keys = try makeKeys(in: scratch)
            report = try makeReport(db: db, key: keys.privateKey, in: scratch)
            self.db = db
            self.keys = keys
            self.scratch = scratch
        }

        func verifyReport(publicKey: String? = nil) throws -> ProcessResult {
            try CLI.audit(["verify-report", report, "--pubkey", publicKey ?? keys.publicKey])
        }

        func verifyLog() throws -> ProcessResult {
            try CLI.audit(["verify", "--db", db, "--against", report + "/report.json"])
        }
    }

    @Test func anUntouchedReportAndLogVerify() throws {
        let fixture = try Fixture()
        #expect(try fixture.verifyReport().status == 0)
        let log = try fixture.verifyLog()
        #expect(log.status == 0, "\(log.stderr)")
        #expect(log.stdoutLines.contains { $0.hasPrefix("matches the report: its ") })
        #expect(log.stdoutLines.last == "note: the report's signature was not checked; give --pubkey to check it")
        let signed = try CLI.audit(
            [
                "verify", "--db", fixture.db, "--against", fixture.report + "/report.json", "--pubkey",
                fixture.keys.publicKey,
            ])
        #expect(signed.status == 0, "\(signed.stderr)")
        #expect(signed.stdoutLines.last?.hasPrefix("matches the report: its ") == true)
    }

    @Test func anEditedReportIsRefusedByVerifyAgainstWhenTheKeyIsGiven() throws {
        let fixture = try Fixture()
        try editReport(fixture.report, #"report["verdict"] = "pass""#)
        let result = try CLI.audit(
            [
                "verify", "--db", fixture.db, "--against", fixture.report + "/report.json", "--pubkey",
                fixture.keys.publicKey,
            ])
        expectOneLineError(result, contains: "the report itself does not verify: signature does not match report.json")
    }

    @Test func anEditedPageIsRefused() throws {
        let fixture = try Fixture()
        let path = fixture.report + "/report.html"
        let page = try String(contentsOfFile: path, encoding: .utf8)
        try page.replacingOccurrences(of: "FAIL", with: "PASS").write(toFile: path, atomically: true, encoding: .utf8)
        expectOneLineError(
            try fixture.verifyReport(), contains: "report.html does not match report.json")
    }

    @Test func anEditedReportIsRefusedBySignature() throws {
        let fixture = try Fixture()
        try editReport(fixture.report, #"report["verdict"] = "pass""#)
        expectOneLineError(try fixture.verifyReport(), contains: "audit: signature does not match report.json\n")
        let script = try CLI.run(ReportCommandTests.verifySignatureScript, [fixture.report, fixture.keys.publicKey])
        #expect(script.status == 1)
        #expect(script.stdout == "FAILED\n")
    }

    @Test func theSignatureOfAnotherReportIsRefused() throws {
        let fixture = try Fixture()
        let other = try makeScenarioLog(in: fixture.scratch, site: "site-2", name: "other.db")
        let otherReport = try makeReport(
            db: other, site: "site-2", key: fixture.keys.privateKey, in: fixture.scratch, folder: "other")
        try FileManager.default.removeItem(atPath: fixture.report + "/report.json.sig")
        try FileManager.default.copyItem(
            atPath: otherReport + "/report.json.sig", toPath: fixture.report + "/report.json.sig")
        expectOneLineError(try fixture.verifyReport(), contains: "audit: signature does not match report.json\n")
    }

    @Test func aWrongPublicKeyIsRefusedAndNamed() throws {
        let fixture = try Fixture()
        let other = try makeKeys(in: fixture.scratch, folder: "other-keys")
        let result = try fixture.verifyReport(publicKey: other.publicKey)
        expectOneLineError(result, contains: "signature does not match report.json: the report names key ")
        #expect(result.stderr.contains("the public key given is "))
    }

    @Test func aTruncatedSignatureFileIsRefused() throws {
        let fixture = try Fixture()
        let path = fixture.report + "/report.json.sig"
        try Data(try Data(contentsOf: URL(fileURLWithPath: path)).prefix(63)).write(to: URL(fileURLWithPath: path))
        expectOneLineError(try fixture.verifyReport(), contains: "report.json.sig is 63 bytes")
    }

    /// From here the signer lies: report.json is edited and re-signed with the real key, so only
    /// the checks behind the signature can catch it.
    @Test func anAlteredEmbeddedEventIsRefused() throws {
        let fixture = try Fixture()
        try editReport(
            fixture.report, #"report["events"][11]["payload"] = report["events"][11]["payload"].replace("1", "2", 1)"#)
        try resign(fixture.report, key: fixture.keys.privateKey)
        expectOneLineError(try fixture.verifyReport(), contains: "audit: event seq 12: hash does not match its columns")
    }

    @Test func anAlteredEventWithItsHashRecomputedFailsItsProof() throws {
        let fixture = try Fixture()
        let seq = 12
        let hash = try Self.pythonHash(
            fixture.report, edit: #"e["actor"] = "someone-else""#, index: seq - 1)
        try editReport(
            fixture.report, #"e = report["events"][11]; e["actor"] = "someone-else"; e["hash"] = "\#(hash)""#)
        try resign(fixture.report, key: fixture.keys.privateKey)
        expectOneLineError(
            try fixture.verifyReport(),
            contains: "audit: event seq 12: inclusion proof does not verify against the checkpoint root")
    }

    @Test func anAlteredProofIsRefused() throws {
        let fixture = try Fixture()
        try editReport(
            fixture.report,
            #"p = report["events"][11]["proof"]; p[1] = ("0" if p[1][0] != "0" else "1") + p[1][1:]"#)
        try resign(fixture.report, key: fixture.keys.privateKey)
        expectOneLineError(
            try fixture.verifyReport(),
            contains: "audit: event seq 12: inclusion proof does not verify against the checkpoint root")
    }

    @Test func aVerdictTheEventsDoNotSupportIsRefused() throws {
        let fixture = try Fixture()
        try editReport(
            fixture.report,
            """
            for f in report["findings"]:
                if f["rule"] == "dip.addr-restored": f["verdict"] = "pass"
            report["verdict"] = "pass"
            """)
        try resign(fixture.report, key: fixture.keys.privateKey)
        expectOneLineError(
            try fixture.verifyReport(), contains: "audit: rule dip.addr-restored: report says pass, replay says fail")
    }

    @Test func anOmittedEventIsCaughtAgainstTheLog() throws {
        let fixture = try Fixture()
        // Omitting an event leaves every remaining hash, link and proof valid: proofs show presence, not
        // completeness, so only the log itself can show the omission.
        try editReport(fixture.report, #"report["events"].pop()"#)
        try resign(fixture.report, key: fixture.keys.privateKey)
        expectOneLineError(try fixture.verifyLog(), contains: "audit: the report omits event seq 86 of site 'site-1'")
    }

    @Test func anOmittedEventThatDecidesARuleIsCaughtByTheReplay() throws {
        let fixture = try Fixture()
        // Seq 29 is an ADDR observation of S3; without it the replayed verdicts differ from the signed ones.
        try editReport(fixture.report, #"report["events"] = [e for e in report["events"] if e["seq"] != 29]"#)
        try resign(fixture.report, key: fixture.keys.privateKey)
        expectOneLineError(try fixture.verifyReport(), contains: ", replay says ")
        #expect(try fixture.verifyReport().stderr.hasPrefix("audit: rule "))
    }

    @Test func aNonCanonicalReportIsRefused() throws {
        let fixture = try Fixture()
        let path = fixture.report + "/report.json"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try (text.replacingOccurrences(of: #"{"checkpoint":"#, with: #"{ "checkpoint":"#))
            .write(toFile: path, atomically: true, encoding: .utf8)
        try resign(fixture.report, key: fixture.keys.privateKey)
        expectOneLineError(try fixture.verifyReport(), contains: "report.json is not canonical JSON")
    }

    /// tools/verify-report-proofs.py re-checks hashes and proofs with Python's standard library alone.
    @Test func theStdlibPythonCheckerAgreesOnAGoodReportAndRefusesAnAlteredProof() throws {
        let fixture = try Fixture()
        let script = ReportCommandTests.toolPath("verify-report-proofs.py")
        let good = try CLI.run("python3", [script, fixture.report])
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.hasPrefix("OK: 86 events proven against root "))
        try editReport(
            fixture.report,
            #"p = report["events"][11]["proof"]; p[1] = ("0" if p[1][0] != "0" else "1") + p[1][1:]"#)
        let bad = try CLI.run("python3", [script, fixture.report])
        #expect(bad.status == 1)
        #expect(bad.stdout == "FAILED: event seq 12: inclusion proof does not verify against the checkpoint root\n")
    }

    @Test func aLogRewrittenAfterReportingWithEveryLaterHashRecomputedIsRefused() throws {
        let fixture = try Fixture()
        try Self.rewrite(fixture.db, seq: 29, sql: "UPDATE events SET payload = replace(payload, 'UDDDDD', 'UUDDDD')")
        // The chain alone is intact again: only the report's Merkle root shows the rewrite.
        let plain = try CLI.audit(["verify", "--db", fixture.db])
        #expect(plain.status == 0, "\(plain.stderr)")
        let result = try fixture.verifyLog()
        expectOneLineError(
            result, contains: "audit: the log no longer matches the report: the log was rewritten: its first ")
    }

    @Test func aLogTruncatedAfterReportingIsRefused() throws {
        let fixture = try Fixture()
        let sql = TamperTests.dropTriggers + "DELETE FROM events WHERE seq > 80"
        #expect(try CLI.sqlite(fixture.db, sql).status == 0)
        #expect(try CLI.audit(["verify", "--db", fixture.db]).status == 0)
        expectOneLineError(
            try fixture.verifyLog(),
            contains:
                "the log no longer matches the report: the log was truncated: the checkpoint covers 86 events, the log now has 80"
        )
    }

    @Test func eventsAppendedAfterReportingStillMatch() throws {
        let fixture = try Fixture()
        let append = try CLI.audit(
            ["append", "--db", fixture.db, "--site", "site-1", "--type", "note.added", "--data", #"{"text":"later"}"#])
        #expect(append.status == 0, "\(append.stderr)")
        let result = try fixture.verifyLog()
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func aReportOfAnotherLogIsRefused() throws {
        let fixture = try Fixture()
        let other = try makeScenarioLog(in: fixture.scratch, name: "other.db")
        let result = try CLI.audit(["verify", "--db", other, "--against", fixture.report + "/report.json"])
        expectOneLineError(result, contains: "the report is of log ")
    }

    @Test func missingFilesAreNamed() throws {
        let fixture = try Fixture()
        try FileManager.default.removeItem(atPath: fixture.report + "/report.json.sig")
        expectOneLineError(
            try fixture.verifyReport(), contains: "read \(fixture.report)/report.json.sig failed: missing or unreadable"
        )
        let missing = fixture.scratch.path("nowhere/report.json")
        expectOneLineError(
            try CLI.audit(["verify", "--db", fixture.db, "--against", missing]),
            contains: "\(missing) is missing or unreadable")
    }

    /// Applies `sql` to row `seq`, then re-seals that row and every later one with python3 (FORMAT.md §2).
    static func rewrite(_ db: String, seq: Int, sql: String) throws {
        let script = """
            import hashlib, sqlite3, struct, sys
            con = sqlite3.connect(sys.argv[1])
            con.executescript("DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;")
            con.execute(sys.argv[3] + " WHERE seq = ?", (int(sys.argv[2]),))
            def field(v):
                if v is None: return b"\\x00"
                b = v.encode("utf-8"); return b"\\x01" + struct.pack(">I", len(b)) + b
            prev = con.execute("SELECT hash FROM events WHERE seq = ?", (int(sys.argv[2]) - 1,)).fetchone()[0]
            rows = con.execute("SELECT seq, event_id, site, stack, type, payload, observed_at, recorded_at, actor FROM events WHERE seq >= ? ORDER BY seq", (int(sys.argv[2]),)).fetchall()
            for row in rows:
                msg = bytes.fromhex(prev) + struct.pack(">Q", row[0]) + b"".join(field(v) for v in row[1:9])
                digest = hashlib.sha256(msg).hexdigest()
                con.execute("UPDATE events SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, digest, row[0]))
                prev = digest
            con.commit()
            """
        let result = try CLI.run("python3", ["-c", script, db, String(seq), sql])
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// The FORMAT.md hash of `report["events"][index]` after `edit` (python, acting on `e`), independently of Swift.
    static func pythonHash(_ directory: String, edit: String, index: Int) throws -> String {
        let script = """
            import hashlib, json, struct, sys
            e = json.load(open(sys.argv[1] + "/report.json"))["events"][int(sys.argv[2])]
            \(edit)
            def field(v):
                if v is None: return b"\\x00"
                b = v.encode("utf-8"); return b"\\x01" + struct.pack(">I", len(b)) + b
            cols = [e[k] for k in ["event_id", "site", "stack", "type", "payload", "observed_at", "recorded_at", "actor"]]
            msg = bytes.fromhex(e["prev_hash"]) + struct.pack(">Q", e["seq"]) + b"".join(field(v) for v in cols)
            print(hashlib.sha256(msg).hexdigest())
            """
        let result = try CLI.run("python3", ["-c", script, directory, String(index)])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
