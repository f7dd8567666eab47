import AuditTestSupport
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

    @Test func theSecondConnectionFindsAnIntactLogSound() throws {
        let dir = try TemporaryDirectory()
        let (store, keys) = try walkedLog(5, in: dir)
        let scan = try IntegrityScan(beside: store.dbQueue)
        guard case .success(let outcome) = scan.outcome() else {
            Issue.record("the second connection's scan failed")
            return
        }
        #expect(outcome.quickCheckPassed)
        #expect(outcome.indexKeys == keys)
        #expect(try store.verify(checkingIntegrity: true).damage == [])
    }

    /// What a writer's commit between the two snapshots looks like: the second connection saw one row more.
    @Test func aLaterSnapshotOnTheSecondConnectionIsSettledOnTheWalksOwn() throws {
        let dir = try TemporaryDirectory()
        let (store, keys) = try walkedLog(4, in: dir)
        var later = keys
        later.eventID.add(nil, seq: 5)
        later.site.add(nil, seq: 5)
        let outcomes: [Result<IntegrityScan.Outcome, any Error>] = [
            .success(IntegrityScan.Outcome(quickCheckPassed: true, indexKeys: later)),
            .success(IntegrityScan.Outcome(quickCheckPassed: false, indexKeys: keys)),
            .failure(DatabaseError(resultCode: .SQLITE_INTERRUPT)),
        ]
        for outcome in outcomes {
            let problems = try store.dbQueue.read { db in
                try SQLiteEventStore.integrityProblems(db, tableKeys: keys, beside: outcome)
            }
            #expect(problems == [])
        }
    }

    /// The walk's digests are the reference: a second connection agreeing with wrong digests is not believed.
    @Test func digestsThatDisagreeWithTheIndexesAreADamageEvenWhenTheSecondConnectionAgrees() throws {
        let dir = try TemporaryDirectory()
        let (store, keys) = try walkedLog(4, in: dir)
        var wrong = keys
        wrong.eventID.add(nil, seq: 9)
        let problems = try store.dbQueue.read { db in
            try SQLiteEventStore.integrityProblems(
                db, tableKeys: wrong,
                beside: .success(IntegrityScan.Outcome(quickCheckPassed: true, indexKeys: keys)))
        }
        #expect(
            problems == [
                "an index of events does not hold exactly the table's rows "
                    + "(sqlite_autoindex_events_1 or events_by_site)"
            ])
    }
}
