import AuditCrypto
import AuditTestSupport
import Foundation
import GRDB
import Testing

@testable import AuditLog

/// FORMAT.md §2.1: a row whose hashes were recomputed after an edit still verifies only if every field keeps its form.
@Suite struct RowFormTests {
    struct Edit: Sendable, CustomTestStringConvertible {
        var column: String
        /// SQL for the new value.
        var value: String
        var detail: String?
        var testDescription: String { "\(column) = \(value)" }
    }

    static let edits: [Edit] = [
        Edit(column: "payload", value: "'not json'", detail: "payload is not the canonical JSON text of an object"),
        Edit(column: "payload", value: "'[1]'", detail: "payload is not the canonical JSON text of an object"),
        Edit(
            column: "payload", value: #"'{"b":1,"a":2}'"#, detail: "payload is not the canonical JSON text of an object"
        ),
        Edit(column: "payload", value: #"'{"a": 1}'"#, detail: "payload is not the canonical JSON text of an object"),
        Edit(column: "payload", value: #"'{"a":01}'"#, detail: "payload is not the canonical JSON text of an object"),
        Edit(column: "payload", value: #"'{"a":"\/"}'"#, detail: "payload is not the canonical JSON text of an object"),
        Edit(
            column: "payload", value: #"'{"a":1,"a":1}'"#, detail: "payload is not the canonical JSON text of an object"
        ),
        Edit(
            column: "payload", value: "CAST(X'7B2261223A2280227D' AS TEXT)",
            detail: "payload is not the canonical JSON text of an object"),
        Edit(column: "payload", value: #"'{"a":[true,null,-3,{"é":"\u001f"}],"b":"\n"}'"#, detail: nil),
        Edit(
            column: "observed_at", value: "'yesterday'",
            detail: "observed_at is not of the form YYYY-MM-DDTHH:MM:SS.sssZ"),
        Edit(
            column: "observed_at", value: "'2026-11-25T08:00:01Z'",
            detail: "observed_at is not of the form YYYY-MM-DDTHH:MM:SS.sssZ"),
        Edit(
            column: "recorded_at", value: "'2026-02-30T08:00:01.000Z'",
            detail: "recorded_at is not of the form YYYY-MM-DDTHH:MM:SS.sssZ"),
        Edit(
            column: "observed_at", value: "'2026-11-25T24:00:00.000Z'",
            detail: "observed_at is not of the form YYYY-MM-DDTHH:MM:SS.sssZ"),
        Edit(
            column: "observed_at", value: "'2100-02-29T08:00:01.000Z'",
            detail: "observed_at is not of the form YYYY-MM-DDTHH:MM:SS.sssZ"),
        Edit(column: "observed_at", value: "'2024-02-29T23:59:59.999Z'", detail: nil),
        Edit(column: "actor", value: "'Zoë Ørsted'", detail: nil),
        Edit(column: "event_id", value: "upper(event_id)", detail: "event_id is not a lowercase UUID"),
        Edit(column: "site", value: "''", detail: "site is empty"),
        Edit(column: "site", value: "printf('%.257c', 'x')", detail: "site is longer than 256 bytes"),
        Edit(column: "actor", value: "'a' || char(9) || 'b'", detail: "actor contains a control character"),
        Edit(column: "stack", value: "CAST(X'53FF' AS TEXT)", detail: "stack is not valid UTF-8"),
        Edit(column: "stack", value: "NULL", detail: nil),
        // A string's UTF-8 is decoded only when a byte above 0x7F is in it: both sides of that shortcut.
        Edit(
            column: "payload", value: #"CAST(X'7B2274223A2241FF227D' AS TEXT)"#,
            detail: "payload is not the canonical JSON text of an object"),
        Edit(
            column: "payload", value: #"CAST(X'7B2241FF223A2274227D' AS TEXT)"#,
            detail: "payload is not the canonical JSON text of an object"),
        Edit(column: "payload", value: #"'{"t":"Zoë Ørsted"}'"#, detail: nil),
    ]

    @Test("a malformed row is named by seq and field, even with its hashes recomputed", arguments: edits)
    func malformedRow(_ edit: Edit) throws {
        let dir = try TemporaryDirectory()
        let clock = ManualClock(fixedStart)
        let path = dir.path("log.db")
        let store = try SQLiteEventStore.create(at: path, clock: clock)
        for index in 0..<6 {
            clock.advance(milliseconds: 1000)
            var event = draft(data: ["i": .integer(Int64(index))])
            event.stack = "S1"
            _ = try store.append(event)
        }
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER events_no_update")
            try db.execute(sql: "UPDATE events SET \(edit.column) = \(edit.value) WHERE seq = 4")
            // Recompute the chain from the edited row on, as a forger would.
            var prev = Digest(hex: try String.fetchOne(db, sql: "SELECT hash FROM events WHERE seq = 3")!)!
            // Over the stored bytes, not Swift strings: invalid UTF-8 would otherwise be repaired before hashing.
            let columns =
                "seq, "
                + EventRow.columns.split(separator: ",").dropFirst().prefix(8)
                .map { "CAST(\($0.trimmingCharacters(in: .whitespaces)) AS BLOB)" }.joined(separator: ", ")
            for row in try Row.fetchAll(db, sql: "SELECT \(columns) FROM events WHERE seq >= 4 ORDER BY seq") {
                let seq: Int64 = row[0]
                var message = [UInt8]()
                prev.withUnsafeBytes { message.append(contentsOf: $0) }
                for shift in stride(from: 56, through: 0, by: -8) {
                    message.append(UInt8(truncatingIfNeeded: seq >> shift))
                }
                for index in 1...8 {
                    guard let field = row[index] as Data? else {
                        message.append(0)
                        continue
                    }
                    message.append(1)
                    for shift in stride(from: 24, through: 0, by: -8) {
                        message.append(UInt8(truncatingIfNeeded: field.count >> shift))
                    }
                    message.append(contentsOf: field)
                }
                let hash = SHA256Hasher().hash(message)
                try db.execute(
                    sql: "UPDATE events SET prev_hash = ?, hash = ? WHERE seq = ?",
                    arguments: [prev.hex, hash.hex, seq])
                prev = hash
            }
        }
        let verification = try SQLiteEventStore.open(at: path).verify()
        if let detail = edit.detail {
            #expect(verification.firstBreak == ChainBreak(seq: 4, kind: .malformedRow, detail: detail))
            #expect(verification.size == 3)
            #expect(verification.firstBreak?.description == "seq 4: malformed row: \(detail)")
        } else {
            #expect(verification.isIntact, "\(String(describing: verification.firstBreak))")
            #expect(verification.size == 6)
        }
    }
}

/// FORMAT.md §1: input that is not valid UTF-8 is refused, never repaired to U+FFFD.
@Suite struct InvalidUTF8Tests {
    @Test func aJSONLinesLineThatIsNotUTF8IsRefusedByNumber() {
        let good = Array(#"{"site":"s","type":"note.added","data":{"text":"ok"}}"#.utf8)
        let bad = Array(#"{"site":"s\#u{0}","type":"note.added","data":{"text":"x"}}"#.utf8).map { $0 == 0 ? 0xFF : $0 }
        #expect(throws: JSONLinesError(line: 2, reason: "the line is not valid UTF-8")) {
            try EventDraft.parseJSONLines(bytes: good + [0x0A] + bad, defaultActor: "tester")
        }
        #expect((try? EventDraft.parseJSONLines(bytes: good, defaultActor: "tester"))?.count == 1)
    }

    @Test(
        "raw field bytes must be UTF-8",
        arguments: [([0x53, 0x31], "S1"), ([0x53, 0xC3], nil)] as [([UInt8], String?)])
    func fieldBytes(bytes: [UInt8], text: String?) {
        if let text {
            #expect((try? EventDraft.text(validating: bytes, field: "--site")) == text)
        } else {
            #expect(throws: EventValidationError.invalidUTF8("--site")) {
                try EventDraft.text(validating: bytes, field: "--site")
            }
            #expect(EventValidationError.invalidUTF8("--site").description == "--site is not valid UTF-8")
        }
    }
}
