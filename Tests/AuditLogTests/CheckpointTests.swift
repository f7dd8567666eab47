import AuditCrypto
import AuditTestSupport
import Foundation
import GRDB
import Testing

@testable import AuditLog

@Suite struct CheckpointTests {
    func makeStore(_ dir: borrowing TemporaryDirectory, events count: Int) throws -> SQLiteEventStore {
        let store = try SQLiteEventStore.create(at: dir.path("log.db"), clock: ManualClock(fixedStart))
        _ = try store.append(
            (0..<count).map { draft($0 % 3 == 0 ? "site-b" : "site-a", data: ["i": .integer(Int64($0))]) })
        return store
    }

    /// Runs SQL on the file directly, as a tamperer with the triggers dropped would.
    func tamper(_ store: SQLiteEventStore, _ sql: String) throws {
        let queue = try DatabaseQueue(path: store.path)
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER IF EXISTS events_no_update; DROP TRIGGER IF EXISTS events_no_delete")
            try db.execute(sql: sql)
        }
    }

    @Test func checkpointRootIsTheMerkleRootOverTheRawChainHashes() throws {
        let dir = try TemporaryDirectory()
        let store = try makeStore(dir, events: 13)
        let events = try store.events(EventFilter())
        let checkpoint = try store.checkpoint()
        #expect(checkpoint.size == 13)
        #expect(checkpoint.head == events.last!.hash)
        #expect(checkpoint.genesis == ChainHash.genesis(logID: store.logID))
        #expect(checkpoint.root == MerkleTree.root(leafHashes: events.map { MerkleTree.leafHash($0.hash.rawBytes) }))
    }

    @Test func anEmptyLogHasTheEmptyRootAndTheGenesisHead() throws {
        let dir = try TemporaryDirectory()
        let store = try makeStore(dir, events: 0)
        let checkpoint = try store.checkpoint()
        #expect(checkpoint.size == 0)
        #expect(checkpoint.root == MerkleTree.emptyRoot)
        #expect(checkpoint.head == store.genesis)
        #expect(try store.verify(against: checkpoint) == nil)
    }

    @Test func everyProofOfASiteVerifiesAgainstTheCheckpointReadWithIt() throws {
        let dir = try TemporaryDirectory()
        let store = try makeStore(dir, events: 21)
        let snapshot = try store.checkpointedEvents(EventFilter(site: "site-b"))
        #expect(snapshot.chain.isIntact)
        #expect(snapshot.events.map(\.seq) == [1, 4, 7, 10, 13, 16, 19])
        for (event, proof) in zip(snapshot.events, snapshot.proofs) {
            #expect(
                MerkleTree.verifyInclusion(
                    leafHash: MerkleTree.leafHash(event.hash.rawBytes), index: Int(event.seq - 1),
                    treeSize: Int(snapshot.checkpoint.size), proof: proof, root: snapshot.checkpoint.root))
        }
        let (checkpoint, proofs) = try store.inclusionProofs(forSeqs: [4, 21])
        #expect(checkpoint == snapshot.checkpoint)
        #expect(proofs[0] == snapshot.proofs[1])
        #expect(throws: AuditLogError.self) { try store.inclusionProofs(forSeqs: [22]) }
    }

    @Test func appendsAfterACheckpointStillMatchIt() throws {
        let dir = try TemporaryDirectory()
        let store = try makeStore(dir, events: 9)
        let checkpoint = try store.checkpoint()
        _ = try store.append(draft())
        #expect(try store.verify(against: checkpoint) == nil)
    }

    @Test func truncationIsNamed() throws {
        let dir = try TemporaryDirectory()
        let store = try makeStore(dir, events: 9)
        let checkpoint = try store.checkpoint()
        try tamper(store, "DELETE FROM events WHERE seq > 7")
        #expect(try store.verify(against: checkpoint) == .truncated(checkpointSize: 9, logSize: 7))
    }

    @Test func aRewriteWithEveryLaterHashRecomputedIsNamed() throws {
        let dir = try TemporaryDirectory()
        let store = try makeStore(dir, events: 9)
        let checkpoint = try store.checkpoint()
        // Rewrite seq 3 and re-seal the chain from there, so a plain chain walk finds nothing wrong.
        var events = try store.events(EventFilter())
        try tamper(store, "DELETE FROM events WHERE seq >= 3")
        events[2].payload = #"{"i":99}"#
        var previous = events[1].hash
        let queue = try DatabaseQueue(path: store.path)
        try queue.write { db in
            for index in 2..<events.count {
                events[index].prevHash = previous
                events[index].hash = ChainHash.hash(of: events[index])
                previous = events[index].hash
                try db.execute(
                    sql: "INSERT INTO events (\(EventRow.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    arguments: [
                        events[index].seq, events[index].eventID, events[index].site, events[index].stack,
                        events[index].type, events[index].payload, events[index].observedAt.rfc3339,
                        events[index].recordedAt.rfc3339, events[index].actor, events[index].prevHash.hex,
                        events[index].hash.hex,
                    ])
            }
        }
        #expect(try store.verify().isIntact)
        guard case .rewritten(let size, let expected, _, _)? = try store.verify(against: checkpoint) else {
            Issue.record("rewrite not detected")
            return
        }
        #expect(size == 9)
        #expect(expected == checkpoint.root)
    }

    @Test func aCheckpointOfAnotherLogIsRefused() throws {
        let dir = try TemporaryDirectory()
        let store = try makeStore(dir, events: 2)
        var checkpoint = try store.checkpoint()
        checkpoint.logID = "another"
        #expect(try store.verify(against: checkpoint) == .differentLog(expected: "another", actual: store.logID))
    }
}
