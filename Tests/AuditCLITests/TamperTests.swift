import Foundation
import Testing

/// Each kind of tampering is made with the real sqlite3 shell after dropping the triggers, as an attacker would.
@Suite struct TamperTests {
    static let dropTriggers = "DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete; "

    func verifyBreak(_ db: String) throws -> (seq: Int64, kind: String, result: ProcessResult) {
        let result = try CLI.audit(["verify", "--db", db, "--format", "json"])
        #expect(result.status == 1)
        let line = try #require(result.stdoutLines.last)
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        #expect(object["intact"] as? Bool == false)
        let failure = try #require(object["break"] as? [String: Any])
        return ((failure["seq"] as! NSNumber).int64Value, failure["kind"] as! String, result)
    }

    @Test func anIntactLogVerifies() throws {
        let scratch = try Scratch()
        let db = try makeLog(in: scratch, events: 10)
        let result = try CLI.audit(["verify", "--db", db])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("intact: 10 events, head "))
    }

    @Test func editedContentIsCaughtAtItsSeq() throws {
        let scratch = try Scratch()
        let db = try makeLog(in: scratch, events: 10)
        _ = try CLI.sqlite(db, Self.dropTriggers + #"UPDATE events SET payload = '{"n":999}' WHERE seq = 4"#)
        let found = try verifyBreak(db)
        #expect(found.seq == 4)
        #expect(found.kind == "content changed")
        #expect(
            found.result.stderr
                == #"{"error":{"exit":1,"kind":"no","message":"chain broken at seq 4: content changed: "#
                + #"the row no longer hashes to its stored hash"}}"# + "\n")
    }

    @Test func editedContentWithEveryLaterHashRecomputedIsStillCaughtAtItsSeq() throws {
        let scratch = try Scratch()
        let db = try makeLog(in: scratch, events: 6)
        // Rewrite seq 3 and recompute only its own hash, as a tamperer who cannot see further would.
        _ = try CLI.sqlite(db, Self.dropTriggers + "UPDATE events SET stack = 'S9' WHERE seq = 3")
        let recomputed = try #require(try CLI.audit(["verify", "--db", db, "--format", "json"]).stdoutLines.first)
        #expect(recomputed.contains("content changed"))
        let fixedHash = try TamperTests.recomputeHash(db: db, seq: 3)
        _ = try CLI.sqlite(db, "UPDATE events SET hash = '\(fixedHash)' WHERE seq = 3")
        let found = try verifyBreak(db)
        #expect(found.seq == 3)
        #expect(found.kind == "content changed")
    }

    @Test func aDeletedRowIsCaughtAtTheMissingSeq() throws {
        let scratch = try Scratch()
        let db = try makeLog(in: scratch, events: 10)
        _ = try CLI.sqlite(db, Self.dropTriggers + "DELETE FROM events WHERE seq = 7")
        let found = try verifyBreak(db)
        #expect(found.seq == 7)
        #expect(found.kind == "row missing")
    }

    @Test func swappedRowsAreCaughtAsOutOfOrder() throws {
        let scratch = try Scratch()
        let db = try makeLog(in: scratch, events: 10)
        _ = try CLI.sqlite(
            db,
            Self.dropTriggers
                + "UPDATE events SET seq = -5 WHERE seq = 5; UPDATE events SET seq = 5 WHERE seq = 6; UPDATE events SET seq = 6 WHERE seq = -5;"
        )
        let found = try verifyBreak(db)
        #expect(found.seq == 5)
        #expect(found.kind == "rows out of order")
    }

    @Test func anAlteredHashColumnIsNamedAsSuch() throws {
        let scratch = try Scratch()
        let db = try makeLog(in: scratch, events: 10)
        _ = try CLI.sqlite(
            db, Self.dropTriggers + "UPDATE events SET hash = '\(String(repeating: "ab", count: 32))' WHERE seq = 2")
        let found = try verifyBreak(db)
        #expect(found.seq == 2)
        #expect(found.kind == "hash column altered")
    }

    @Test func anAlteredPrevHashIsNamedAsAHashColumnChange() throws {
        let scratch = try Scratch()
        let db = try makeLog(in: scratch, events: 10)
        _ = try CLI.sqlite(
            db, Self.dropTriggers + "UPDATE events SET prev_hash = '\(String(repeating: "0", count: 64))' WHERE seq = 8"
        )
        let found = try verifyBreak(db)
        #expect(found.seq == 8)
        #expect(found.kind == "hash column altered")
    }

    @Test func aChangedLogIDIsAGenesisMismatch() throws {
        let scratch = try Scratch()
        let db = try makeLog(in: scratch, events: 3)
        _ = try CLI.sqlite(
            db, "DROP TRIGGER log_meta_no_update; UPDATE log_meta SET log_id = '00000000-0000-0000-0000-000000000000'")
        let found = try verifyBreak(db)
        #expect(found.seq == 1)
        #expect(found.kind == "genesis mismatch")
    }

    @Test func aFirstRowChainedElsewhereIsAGenesisMismatch() throws {
        let scratch = try Scratch()
        let db = try makeLog(in: scratch, events: 3)
        _ = try CLI.sqlite(
            db, Self.dropTriggers + "UPDATE events SET prev_hash = '\(String(repeating: "1", count: 64))' WHERE seq = 1"
        )
        let found = try verifyBreak(db)
        #expect(found.seq == 1)
        #expect(found.kind == "genesis mismatch")
    }

    @Test func droppedTriggersAreReportedEvenWhenTheChainIsIntact() throws {
        let scratch = try Scratch()
        let db = try makeLog(in: scratch, events: 2)
        _ = try CLI.sqlite(db, "DROP TRIGGER events_no_delete")
        let result = try CLI.audit(["verify", "--db", db])
        #expect(result.status == 0)
        #expect(result.stdout.contains("warning: append-only trigger events_no_delete is missing"))
    }

    /// Recomputes a row's hash from FORMAT.md with python3, independently of the Swift code.
    static func recomputeHash(db: String, seq: Int) throws -> String {
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
        let result = try CLI.run("python3", ["-c", script, db, String(seq)])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func anIndependentPythonReimplementationAgreesWithEveryStoredHash() throws {
        let scratch = try Scratch()
        let db = try makeLog(in: scratch, events: 5)
        for seq in 1...5 {
            let stored = try CLI.sqlite(db, "SELECT hash FROM events WHERE seq = \(seq)").stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(try Self.recomputeHash(db: db, seq: seq) == stored)
        }
    }
}

/// Tamperings found in review: each must be caught, and named at the first edit.
@Suite struct TamperEdgeTests {
    @Test func aForgedRowBeforeSeqOneIsCaught() throws {
        let scratch = try Scratch()
        let db = try makeLog(in: scratch, events: 3)
        _ = try CLI.sqlite(
            db,
            "DROP TRIGGER events_seq_gapless; INSERT INTO events SELECT 0, 'forged', site, stack, type, payload, observed_at, recorded_at, actor, prev_hash, hash FROM events WHERE seq = 1;"
        )
        let result = try CLI.audit(["verify", "--db", db])
        #expect(result.status == 1)
        #expect(
            result.stderr.contains("seq 1: rows out of order: a row with seq 0 stands before seq 1"), "\(result.stderr)"
        )
    }

    @Test func theEarliestEditIsNamedWhenALaterBatchIsAlsoBroken() throws {
        let scratch = try Scratch()
        let db = try makeLog(in: scratch, events: 5001)
        _ = try CLI.sqlite(
            db,
            TamperTests.dropTriggers
                + #"UPDATE events SET payload = '{"n":-1}' WHERE seq = 10; UPDATE events SET hash = upper(hash) WHERE seq = 5000;"#
        )
        let result = try CLI.audit(["verify", "--db", db])
        #expect(
            result.stderr
                == "audit: chain broken at seq 10: content changed: the row no longer hashes to its stored hash\n")
    }
}
