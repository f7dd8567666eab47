import AuditCrypto
import AuditTestSupport
import Foundation
import Testing

@testable import AuditLog

@Suite struct ChainTests {
    /// The FORMAT.md example, recomputed here by hand so a change to the encoding cannot go unnoticed.
    @Test func hashIsSHA256OfTheDocumentedEncoding() {
        var message = [UInt8](repeating: 0, count: 32)
        message += [0, 0, 0, 0, 0, 0, 0, 1]
        for field in ["e1", "site-a"] as [String] {
            message += [1, 0, 0, 0, UInt8(field.utf8.count)] + Array(field.utf8)
        }
        message += [0]
        for field in ["note.added", "{}", "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z", "me"] {
            message += [1, 0, 0, 0, UInt8(field.utf8.count)] + Array(field.utf8)
        }
        let hash = ChainHash.hash(
            prevHash: .zero, seq: 1, eventID: "e1", site: "site-a", stack: nil, type: "note.added", payload: "{}",
            observedAt: "2026-01-01T00:00:00.000Z", recordedAt: "2026-01-01T00:00:00.000Z", actor: "me")
        #expect(hash == SHA256.hash(message))
        // The digest FORMAT.md §2.3 states for this worked example.
        #expect(hash.hex == "85a154d6eaa690a3a0d2e432a37f8036c90f1b7b06ff84b444b63467337fa460")
    }

    @Test func genesisBindsTheLogID() {
        #expect(ChainHash.genesis(logID: "a") != ChainHash.genesis(logID: "b"))
        let expected = SHA256.hash([1, 0, 0, 0, 16] + Array("audit.genesis.v1".utf8) + [1, 0, 0, 0, 1, 0x61])
        #expect(ChainHash.genesis(logID: "a") == expected)
    }

    @Test func sqliteRoundTripChainsAndVerifies() throws {
        let dir = try TemporaryDirectory()
        let clock = ManualClock(fixedStart)
        let store = try SQLiteEventStore.create(at: dir.path("log.db"), clock: clock)
        var previous = ChainHash.genesis(logID: store.logID)
        for index in 0..<20 {
            clock.advance(milliseconds: 1000)
            let result = try store.append(draft(data: ["i": .integer(Int64(index))]))
            #expect(result.seq == Int64(index + 1))
            #expect(result.inserted)
        }
        let events = try store.events(EventFilter())
        for event in events {
            #expect(event.prevHash == previous)
            #expect(ChainHash.hash(of: event) == event.hash)
            previous = event.hash
        }
        let verification = try store.verify()
        #expect(verification.isIntact)
        #expect(verification.size == 20)
        #expect(verification.head == previous)
        #expect(verification.warnings.isEmpty)
        #expect(try store.head().hash == previous)
    }

    @Test func inMemoryAndSQLiteStoresHashIdentically() throws {
        let dir = try TemporaryDirectory()
        let sqlite = try SQLiteEventStore.create(at: dir.path("log.db"), clock: ManualClock(fixedStart))
        let memory = InMemoryEventStore(logID: sqlite.logID, clock: ManualClock(fixedStart))
        let drafts = (0..<5).map { draft(data: ["i": .integer(Int64($0))]) }
        #expect(try sqlite.append(drafts) == memory.append(drafts))
    }

    @Test func appendingTheSameEventIDAgainReturnsTheOriginalSeq() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteEventStore.create(at: dir.path("log.db"))
        let id = UUID()
        let first = try store.append(draft(id: id))
        _ = try store.append(draft())
        let again = try store.append(draft(id: id))
        #expect(again == AppendResult(seq: first.seq, hash: first.hash, inserted: false))
        #expect(try store.head().size == 2)
    }

    @Test func theSameEventIDWithOtherContentIsAConflictAndRecordsNothing() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteEventStore.create(at: dir.path("log.db"))
        let id = UUID()
        _ = try store.append(draft(id: id))
        #expect(throws: AuditLogError.eventIDConflict(eventID: id.uuidString.lowercased(), seq: 1)) {
            try store.append([draft(), draft(data: ["text": "other"], id: id)])
        }
        #expect(try store.head().size == 1)
    }

    @Test func aBatchIsAllOrNothing() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteEventStore.create(at: dir.path("log.db"))
        _ = try store.append(draft())
        let before = try store.head()
        var bad = draft()
        bad.site = ""
        #expect(throws: AuditLogError.invalidEvent(index: 2, .empty("site"))) {
            try store.append([draft(), draft(), bad])
        }
        #expect(try store.head() == before)
        let results = try store.append([draft(), draft()])
        #expect(results.map(\.seq) == [2, 3])
    }

    @Test func aBatchMayRepeatAnIDWithinItself() throws {
        let store = InMemoryEventStore()
        let id = UUID()
        let results = try store.append([draft(id: id), draft(id: id)])
        #expect(results.map(\.seq) == [1, 1])
        #expect(results.map(\.inserted) == [true, false])
    }

    @Test func filtersSelectBySiteTypeAfterAndLimit() throws {
        let store = InMemoryEventStore()
        _ = try store.append([draft("a", "x"), draft("b", "x"), draft("a", "y"), draft("a", "x")])
        #expect(try store.events(EventFilter(site: "a")).map(\.seq) == [1, 3, 4])
        #expect(try store.events(EventFilter(site: "a", type: "x", afterSeq: 1)).map(\.seq) == [4])
        #expect(try store.events(EventFilter(limit: 2)).map(\.seq) == [1, 2])
    }
}
