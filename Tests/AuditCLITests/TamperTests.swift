import AuditTestSupport
import Foundation
import Testing

/// Tampering through the real sqlite3 shell and the binary: what only a process shows, the exit status, the JSON
/// and the stderr line. Every kind of tampering is tested in-process in AuditLogTests.TamperTests.
@Suite struct TamperTests {
    static let dropTriggers = "DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete; "

    func verifyBreak(_ db: String) async throws -> (seq: Int64, kind: String, result: ProcessResult) {
        let result = try await CLI.audit(["verify", "--db", db, "--format", "json"])
        #expect(result.status == 1)
        let line = try #require(result.stdoutLines.last)
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        #expect(object["intact"] as? Bool == false)
        let failure = try #require(object["break"] as? [String: Any])
        return ((failure["seq"] as! NSNumber).int64Value, failure["kind"] as! String, result)
    }

    @Test func anIntactLogVerifies() async throws {
        let scratch = try TemporaryDirectory()
        let db = try await makeLog(in: scratch, events: 10)
        let result = try await CLI.audit(["verify", "--db", db])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("intact: 10 events, head "))
    }

    @Test func editedContentIsCaughtAtItsSeq() async throws {
        let scratch = try TemporaryDirectory()
        let db = try await makeLog(in: scratch, events: 10)
        _ = try await CLI.sqlite(db, Self.dropTriggers + #"UPDATE events SET payload = '{"n":999}' WHERE seq = 4"#)
        let found = try await verifyBreak(db)
        #expect(found.seq == 4)
        #expect(found.kind == "content changed")
        #expect(
            found.result.stderr
                == #"{"error":{"exit":1,"kind":"no","message":"chain broken at seq 4: content changed: "#
                + #"the row no longer hashes to its stored hash"}}"# + "\n")
    }

    /// Flips the last character of seq 3's event_id inside the event_id unique index's page, leaving its row as it
    /// was: the chain still verifies, and only SQLite's integrity check sees that the index no longer finds the row.
    @Test func aDamagedEventIDIndexFailsVerifyThroughTheIntegrityCheck() async throws {
        let scratch = try TemporaryDirectory()
        let db = try await makeLog(in: scratch, events: 10)
        let script = """
            import sqlite3, sys
            path = sys.argv[1]
            con = sqlite3.connect(path)
            root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex_events_1'").fetchone()[0]
            event_id = con.execute("SELECT event_id FROM events WHERE seq = 3").fetchone()[0].encode()
            page_size = con.execute("PRAGMA page_size").fetchone()[0]
            con.close()
            with open(path, "r+b") as f:
                data = bytearray(f.read())
                start = (root - 1) * page_size
                last = data.index(event_id, start, start + page_size) + len(event_id) - 1
                data[last] = ord("0") if data[last] != ord("0") else ord("1")
                f.seek(0)
                f.write(data)
            """
        let flip = try await CLI.run("python3", ["-c", script, db])
        try #require(flip.status == 0, "\(flip.stderr)")
        let problem = "row 3 missing from index sqlite_autoindex_events_1 (the event_id unique index)"
        let result = try await CLI.audit(["verify", "--db", db])
        #expect(result.status == 1)
        expectOneLineError(result, contains: "the chain walk passed, SQLite's integrity check did not: \(problem)")
        #expect(!result.stdout.contains("intact"), "\(result.stdout)")
        let json = try await CLI.audit(["verify", "--db", db, "--format", "json"])
        #expect(json.status == 1)
        let line = try #require(json.stdoutLines.last)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["intact"] as? Bool == false)
        #expect(object["break"] == nil, "the chain itself is intact")
        #expect(object["integrity_problems"] as? [String] == [problem])
        // The same log with its index rebuilt verifies again: the check found the index, not the chain, at fault.
        #expect(try await CLI.sqlite(db, "REINDEX sqlite_autoindex_events_1").status == 0)
        #expect(try await CLI.audit(["verify", "--db", db]).status == 0)
    }

    /// Recomputes a row's hash from FORMAT.md with python3, independently of the Swift code.
    static func recomputeHash(db: String, seq: Int) async throws -> String {
        let script = """
            import hashlib, sqlite3, struct, sys
            con = sqlite3.connect(sys.argv[1])
            row = con.execute("SELECT seq, event_id, site, stack, type, payload, observed_at, recorded_at, actor, prev_hash FROM events WHERE seq = ?", (int(sys.argv[2]),)).fetchone()
            def field(v):
                if v is None: return b"\\x00"
                b = v.encode("utf-8"); return b"\\x01" + struct.pack(">I", len(b)) + b
            msg = bytes.fromhex(row[9]) + struct.pack(">Q", row[0]) + b"".join(field(v) for v in row[1:9])
            print(hashlib.sha256(msg).hexdigest())
            """
        let result = try await CLI.run("python3", ["-c", script, db, String(seq)])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func anIndependentPythonReimplementationAgreesWithEveryStoredHash() async throws {
        let scratch = try TemporaryDirectory()
        let db = try await makeLog(in: scratch, events: 5)
        for seq in 1...5 {
            let stored = try await CLI.sqlite(db, "SELECT hash FROM events WHERE seq = \(seq)").stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(try await Self.recomputeHash(db: db, seq: seq) == stored)
        }
    }
}
