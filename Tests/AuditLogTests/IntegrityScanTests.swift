import AuditTestSupport
import Foundation
import GRDB
import Testing

@testable import AuditLog

/// The integrity check runs on a second connection beside the walk; only a result that proves the walk's own
/// snapshot sound is taken from it, and anything else is settled on the walk's connection.
@Suite struct IntegrityScanTests {
    /// A log of `count` events and the digests of its table's keys, as an intact walk collects them.
    func walkedLog(_ count: Int, in dir: borrowing TemporaryDirectory) throws -> (SQLiteEventStore, TableKeys) {
        let store = try SQLiteEventStore.create(at: dir.path("log.db"), clock: ManualClock(fixedStart))
        _ = try store.append((0..<count).map { draft("site-\($0 % 3)") })
        let keys = try store.dbQueue.read { db in
            try ChainWalker(db: db, logID: store.logID).walk(collectingKeys: true).1
        }
        return (store, try #require(keys))
    }

    /// The walk's snapshot's shape, read on the store's connection.
    func shape(of store: SQLiteEventStore) throws -> [Int64] {
        try store.dbQueue.read { db in try IntegrityScan.shape(db) }
    }

    /// What the check on the walk's connection reports, given the walk's digests and the second connection's result.
    func problems(
        of store: SQLiteEventStore, tableKeys: TableKeys, beside: Result<IntegrityScan.Outcome, any Error>
    ) throws -> [String] {
        try store.dbQueue.read { db in try SQLiteEventStore.integrityProblems(db, tableKeys: tableKeys, beside: beside)
        }
    }

    @Test func theSecondConnectionFindsAnIntactLogSound() throws {
        let dir = try TemporaryDirectory()
        let (store, keys) = try walkedLog(5, in: dir)
        let outcome = try IntegrityScan(beside: store.dbQueue).outcome().get()
        #expect(outcome.quickCheckPassed)
        #expect(outcome.indexKeys == keys)
        #expect(try shape(of: store) == outcome.shape)
        #expect(try store.verify(checkingIntegrity: true).damage == [])
    }

    /// What a writer's commit between the two snapshots looks like: the second connection saw one row more.
    @Test func aLaterSnapshotOnTheSecondConnectionIsSettledOnTheWalksOwn() throws {
        let dir = try TemporaryDirectory()
        let (store, keys) = try walkedLog(4, in: dir)
        var later = keys
        later.eventID.add(nil, seq: 5)
        later.site.add(nil, seq: 5)
        // The walk's own shape, so each outcome is refused for its own reason.
        let shape = try shape(of: store)
        let outcomes: [Result<IntegrityScan.Outcome, any Error>] = [
            .success(IntegrityScan.Outcome(quickCheckPassed: true, indexKeys: later, shape: shape)),
            .success(IntegrityScan.Outcome(quickCheckPassed: false, indexKeys: keys, shape: shape)),
            .failure(DatabaseError(resultCode: .SQLITE_INTERRUPT)),
        ]
        for outcome in outcomes {
            #expect(try problems(of: store, tableKeys: keys, beside: outcome) == [])
        }
    }

    /// A second connection's result is taken only for the walk's own file shape: the same claim with another page
    /// count (as after a REINDEX or VACUUM between the two snapshots) is checked again here, where it fails.
    @Test func aResultFromAFileOfAnotherShapeIsCheckedAgain() throws {
        let dir = try TemporaryDirectory()
        let (store, keys) = try walkedLog(4, in: dir)
        var claimed = keys
        claimed.eventID.add(nil, seq: 9)
        let shape = try shape(of: store)
        for (outcomeShape, expected) in [(shape, 0), (shape.map { $0 + 1 }, 1)] {
            let claim = IntegrityScan.Outcome(quickCheckPassed: true, indexKeys: claimed, shape: outcomeShape)
            let found = try problems(of: store, tableKeys: claimed, beside: .success(claim))
            #expect(found.count == expected, "\(found)")
        }
    }

    /// The second connection cannot open (here the file's name is gone while the walk's connection holds it):
    /// the check runs on the walk's connection, and verify still says intact.
    @Test func aSecondConnectionThatCannotOpenLeavesTheCheckToTheWalksOwn() throws {
        let dir = try TemporaryDirectory()
        let (store, _) = try walkedLog(6, in: dir)
        #expect(unlink(dir.path("log.db")) == 0)
        #expect(throws: (any Error).self) { try IntegrityScan(beside: store.dbQueue).outcome().get() }
        let verification = try store.verify(checkingIntegrity: true)
        #expect(verification.isIntact)
        #expect(verification.size == 6)
        #expect(verification.damage == [])
    }

    /// The walk's digests are the reference: a second connection agreeing with wrong digests is not believed.
    @Test func digestsThatDisagreeWithTheIndexesAreADamageEvenWhenTheSecondConnectionAgrees() throws {
        let dir = try TemporaryDirectory()
        let (store, keys) = try walkedLog(4, in: dir)
        var wrong = keys
        wrong.eventID.add(nil, seq: 9)
        let agreeing = IntegrityScan.Outcome(quickCheckPassed: true, indexKeys: keys, shape: try shape(of: store))
        #expect(
            try problems(of: store, tableKeys: wrong, beside: .success(agreeing)) == [
                "an index of events does not hold exactly the table's rows "
                    + "(sqlite_autoindex_events_1 or events_by_site)"
            ])
    }

    /// The digest compares a table's keys with an index's: order must not matter, any changed byte must.
    @Test func theKeyDigestIgnoresOrderAndSeesEveryByte() {
        let keys = ["019ae0b2-8a3f-7c41-9d2e-5f6a7b8c9d0e", "site-1", "", "a", "12345678", "123456789"]
        func digest(_ texts: [String?], seqs: [Int64]) -> KeyDigest {
            var digest = KeyDigest()
            for (text, seq) in zip(texts, seqs) {
                if let text {
                    Array(text.utf8).withUnsafeBufferPointer { digest.add($0, seq: seq) }
                } else {
                    digest.add(nil, seq: seq)
                }
            }
            return digest
        }
        let forward = digest(keys, seqs: Array(1...6))
        #expect(digest(keys.reversed(), seqs: Array((1...6).reversed())) == forward)
        #expect(digest(keys, seqs: [1, 2, 3, 4, 5, 7]) != forward)
        #expect(digest([nil], seqs: [1]) != digest([""], seqs: [1]))
        for (index, key) in keys.enumerated() {
            for position in key.utf8.indices {
                var bytes = Array(key.utf8)
                bytes[key.utf8.distance(from: key.utf8.startIndex, to: position)] ^= 0x01
                var changed = keys
                changed[index] = String(decoding: bytes, as: UTF8.self)
                #expect(digest(changed, seqs: Array(1...6)) != forward, "byte \(position) of \(key)")
            }
        }
    }
}
