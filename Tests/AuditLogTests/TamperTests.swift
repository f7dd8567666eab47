import AuditCrypto
import AuditTestSupport
import Foundation
import GRDB
import Testing

@testable import AuditLog

/// One way an attacker with write access edits the file behind the library's back, and where verify must stop.
struct Tampering: Sendable, CustomTestStringConvertible {
    let name: String
    var events = 10
    /// Raw SQL run on the file after the log is written; the append-only triggers are dropped first unless `keep`.
    let sql: String
    var keepTriggers = false
    let seq: Int64
    let kind: ChainBreak.Kind
    /// The whole break as `audit verify` names it, when the test pins it down.
    var description: String? = nil

    var testDescription: String { name }

    static let dropTriggers = "DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete; "

    static let all: [Tampering] = [
        Tampering(
            name: "edited content", sql: #"UPDATE events SET payload = '{"n":999}' WHERE seq = 4"#, seq: 4,
            kind: .contentChanged,
            description: "seq 4: content changed: the row no longer hashes to its stored hash"),
        Tampering(name: "a deleted row", sql: "DELETE FROM events WHERE seq = 7", seq: 7, kind: .rowMissing),
        Tampering(
            name: "swapped rows",
            sql:
                "UPDATE events SET seq = -5 WHERE seq = 5; UPDATE events SET seq = 5 WHERE seq = 6; UPDATE events SET seq = 6 WHERE seq = -5;",
            seq: 5, kind: .outOfOrder),
        Tampering(
            name: "an altered hash column",
            sql: "UPDATE events SET hash = '\(String(repeating: "ab", count: 32))' WHERE seq = 2", seq: 2,
            kind: .hashAltered),
        Tampering(
            name: "an altered prev_hash",
            sql: "UPDATE events SET prev_hash = '\(String(repeating: "0", count: 64))' WHERE seq = 8", seq: 8,
            kind: .hashAltered),
        Tampering(
            name: "a changed log id", events: 3,
            sql:
                "DROP TRIGGER log_meta_no_update; UPDATE log_meta SET log_id = '00000000-0000-0000-0000-000000000000'",
            keepTriggers: true, seq: 1, kind: .genesisMismatch),
        Tampering(
            name: "a first row chained elsewhere", events: 3,
            sql: "UPDATE events SET prev_hash = '\(String(repeating: "1", count: 64))' WHERE seq = 1", seq: 1,
            kind: .genesisMismatch),
        Tampering(
            name: "a forged row before seq 1", events: 3,
            sql:
                "DROP TRIGGER events_seq_gapless; INSERT INTO events SELECT 0, 'forged', site, stack, type, payload, observed_at, recorded_at, actor, prev_hash, hash FROM events WHERE seq = 1;",
            keepTriggers: true, seq: 1, kind: .outOfOrder,
            description: "seq 1: rows out of order: a row with seq 0 stands before seq 1"),
        Tampering(
            name: "the earliest of two edits, the later one in another batch", events: 5001,
            sql:
                #"UPDATE events SET payload = '{"n":-1}' WHERE seq = 10; UPDATE events SET hash = upper(hash) WHERE seq = 5000;"#,
            seq: 10, kind: .contentChanged,
            description: "seq 10: content changed: the row no longer hashes to its stored hash"),
    ]
}

/// Tampering made with raw SQL on the file, as an attacker would, caught by `verify()` in-process.
/// The binary tier (AuditCLITests.TamperTests) keeps one case for the exit status and stderr through real sqlite3.
@Suite struct TamperTests {
    /// A log file of `count` note events, closed again so the tampering edits a file nobody holds open.
    static func makeLog(in directory: borrowing TemporaryDirectory, events count: Int) throws -> String {
        let path = directory.path("audit.db")
        let store = try SQLiteEventStore.create(at: path)
        _ = try store.append((1...count).map { draft(data: ["n": .integer(Int64($0))]) })
        return path
    }

    static func execute(_ sql: String, on path: String) throws {
        try DatabaseQueue(path: path).writeWithoutTransaction { db in try db.execute(sql: sql) }
    }

    @Test func anIntactLogVerifies() throws {
        let directory = try TemporaryDirectory()
        let path = try Self.makeLog(in: directory, events: 10)
        let result = try SQLiteEventStore.open(at: path).verify()
        #expect(result.isIntact)
        #expect(result.size == 10)
        #expect(result.warnings.isEmpty)
    }

    @Test(arguments: Tampering.all)
    func eachTamperingIsCaughtAtItsFirstEditedSeq(_ tampering: Tampering) throws {
        let directory = try TemporaryDirectory()
        let path = try Self.makeLog(in: directory, events: tampering.events)
        try Self.execute((tampering.keepTriggers ? "" : Tampering.dropTriggers) + tampering.sql, on: path)
        let result = try SQLiteEventStore.open(at: path).verify()
        let found = try #require(result.firstBreak, "\(tampering.name) went unnoticed")
        #expect(found.seq == tampering.seq)
        #expect(found.kind == tampering.kind)
        if let description = tampering.description { #expect(found.description == description) }
        #expect(!result.isIntact)
    }

    @Test func editedContentWithItsOwnHashRecomputedIsStillCaughtAtItsSeq() throws {
        let directory = try TemporaryDirectory()
        let path = try Self.makeLog(in: directory, events: 6)
        try Self.execute(Tampering.dropTriggers + "UPDATE events SET stack = 'S9' WHERE seq = 3", on: path)
        #expect(try SQLiteEventStore.open(at: path).verify().firstBreak?.kind == .contentChanged)
        // Re-seal seq 3 alone, as a tamperer who cannot see further would: the next row's link now breaks.
        let edited = try #require(try SQLiteEventStore.open(at: path).events(EventFilter(afterSeq: 2, limit: 1)).first)
        #expect(edited.stack == "S9")
        try Self.execute("UPDATE events SET hash = '\(ChainHash.hash(of: edited).hex)' WHERE seq = 3", on: path)
        let found = try #require(try SQLiteEventStore.open(at: path).verify().firstBreak)
        #expect(found.seq == 3)
        #expect(found.kind == .contentChanged)
    }

    @Test func droppedTriggersAreReportedEvenWhenTheChainIsIntact() throws {
        let directory = try TemporaryDirectory()
        let path = try Self.makeLog(in: directory, events: 2)
        try Self.execute("DROP TRIGGER events_no_delete", on: path)
        let result = try SQLiteEventStore.open(at: path).verify()
        #expect(result.isIntact)
        #expect(result.warnings == ["append-only trigger events_no_delete is missing"])
    }
}
