import AuditCrypto
import AuditTestSupport
import Foundation
import GRDB
import Testing

@testable import AuditLog

/// A kept site state is used only when it names the site's head; anything else is rebuilt from the log.
@Suite struct SiteStateCacheTests {
    /// Admits at most `limit` events per site; its state is the count, so a wrong state shows as a wrong decision.
    struct AtMost: SiteGuard {
        struct Full: Error, Equatable { var count: Int }
        var limit: Int
        static let snapshotFormat = "at-most/1"
        func initialState(site: String, keepingHistory: Bool) -> Int { 0 }
        func apply(_ event: LoggedEvent, to state: inout Int) throws { state += 1 }
        func canAdmit(_ part: [EventDraft], at placed: ArraySlice<PlacedDraft>, with state: Int) -> Bool { true }
        func admit(_ drafts: [EventDraft], site: String, state: Int) throws {
            if state + drafts.count > limit { throw Full(count: state) }
        }
        func admitting(
            _ part: [EventDraft], at placed: ArraySlice<PlacedDraft>, recordedAt: Timestamp, site: String,
            state: inout Int
        ) throws {
            try admit(placed.map { part[$0.offset] }, site: site, state: state)
            state += placed.count
        }
        func snapshot(of state: Int) -> [UInt8]? { Array("\(state)".utf8) }
        func restore(_ bytes: [UInt8], site: String) -> Int? { Int(String(decoding: bytes, as: UTF8.self)) }
    }

    func store(_ directory: borrowing TemporaryDirectory) throws -> SQLiteEventStore {
        try SQLiteEventStore.create(
            at: directory.path("log.sqlite"), options: SQLiteEventStore.Options(synchronous: .normal))
    }

    @Test func theKeptStateAdvancesWithEachCommittedAppend() throws {
        let directory = try TemporaryDirectory()
        let log = try store(directory)
        let gate = AtMost(limit: 10)
        for _ in 0..<3 { _ = try log.append([draft()], attaching: [], gate: gate) }
        let kept = try #require(log.cachedState(site: "site-a", gate: gate))
        #expect(kept.state == 3)
        #expect(kept.seq == 3)
        #expect(kept.hash == (try log.head().hash))
    }

    @Test(arguments: ["wrong hash", "future seq", "no seq"])
    func aForgedStateIsRebuiltNotTrusted(forgery: String) throws {
        let directory = try TemporaryDirectory()
        let log = try store(directory)
        let gate = AtMost(limit: 3)
        for _ in 0..<3 { _ = try log.append([draft()], guard: nil) }
        let head = try log.head()
        // Claims the site is empty: trusted, it would admit a fourth event.
        switch forgery {
        case "wrong hash": log.replaceCachedState(site: "site-a", gate: gate, seq: 3, hash: .zero, state: 0)
        case "future seq": log.replaceCachedState(site: "site-a", gate: gate, seq: 9, hash: head.hash, state: 0)
        default: log.replaceCachedState(site: "site-a", gate: gate, seq: nil, hash: nil, state: 0)
        }
        let error = #expect(throws: AuditLogError.self) { try log.append([draft()], attaching: [], gate: gate) }
        #expect(error?.refusal as? AtMost.Full == AtMost.Full(count: 3))
        #expect(try log.head().size == 3)
    }

    @Test func aStateLeftBehindByAnotherWriterCatchesUp() throws {
        let directory = try TemporaryDirectory()
        let first = try store(directory)
        let second = try SQLiteEventStore.open(at: directory.path("log.sqlite"))
        let gate = AtMost(limit: 4)
        _ = try first.append([draft()], attaching: [], gate: gate)
        _ = try second.append([draft(), draft("site-b"), draft()], attaching: [], gate: gate)
        #expect(first.cachedState(site: "site-a", gate: gate)?.state == 1)
        _ = try first.append([draft()], attaching: [], gate: gate)
        #expect(first.cachedState(site: "site-a", gate: gate)?.state == 4)
        let error = #expect(throws: AuditLogError.self) { try first.append([draft()], attaching: [], gate: gate) }
        #expect(error?.refusal as? AtMost.Full == AtMost.Full(count: 4))
        #expect(try first.head().size == 5)
    }

    @Test func aRefusedOrFailedAppendLeavesTheKeptStateAsItWas() throws {
        let directory = try TemporaryDirectory()
        let log = try store(directory)
        let gate = AtMost(limit: 2)
        _ = try log.append([draft()], attaching: [], gate: gate)
        #expect(throws: AuditLogError.self) { try log.append([draft(), draft()], attaching: [], gate: gate) }
        #expect(log.cachedState(site: "site-a", gate: gate)?.state == 1)
        #expect(log.cachedState(site: "site-a", gate: gate)?.seq == 1)
    }

    /// A new process finds the state in the snapshot row when the row names an event of the site still in the log.
    @Test func aNewProcessResumesFromTheSnapshotRowItChecks() throws {
        let directory = try TemporaryDirectory()
        let log = try store(directory)
        let gate = AtMost(limit: 3)
        for _ in 0..<3 { _ = try log.append([draft()], attaching: [], gate: gate) }
        let head = try log.head()
        let row = try log.dbQueue.read { db in
            try Row.fetchOne(db, sql: "SELECT seq, hash, CAST(state AS TEXT) FROM site_snapshot")
        }
        #expect(row?[0] == 3 as Int64)
        #expect(row?[1] == head.hash.hex)
        #expect(row?[2] == "3")
        // A row claiming the site is empty at its real head is believed: proof that the row, not a rebuild, is read.
        try log.dbQueue.write { try $0.execute(sql: "UPDATE site_snapshot SET state = CAST('0' AS BLOB)") }
        let fresh = try SQLiteEventStore.open(at: directory.path("log.sqlite"))
        _ = try fresh.append([draft()], attaching: [], gate: gate)
        #expect(fresh.cachedState(site: "site-a", gate: gate)?.state == 1)
    }

    @Test(arguments: [
        "UPDATE site_snapshot SET hash = '\(String(repeating: "0", count: 64))'",
        "UPDATE site_snapshot SET seq = 9", "UPDATE site_snapshot SET state = CAST('x' AS BLOB)",
        "UPDATE site_snapshot SET format = 'other/1'",
    ])
    func aSnapshotRowThatDoesNotNameTheLogIsIgnored(forgery: String) throws {
        let directory = try TemporaryDirectory()
        let log = try store(directory)
        let gate = AtMost(limit: 3)
        for _ in 0..<3 { _ = try log.append([draft()], attaching: [], gate: gate) }
        try log.dbQueue.write { db in
            try db.execute(sql: "UPDATE site_snapshot SET state = CAST('0' AS BLOB); \(forgery)")
        }
        let fresh = try SQLiteEventStore.open(at: directory.path("log.sqlite"))
        let error = #expect(throws: AuditLogError.self) { try fresh.append([draft()], attaching: [], gate: gate) }
        #expect(error?.refusal as? AtMost.Full == AtMost.Full(count: 3))
        #expect(try fresh.head().size == 3)
    }

    /// A feed that catches a refused part cannot go on with the batch, nor commit it: the log holds the refused
    /// part's rows until the rollback, and the gate's states may hold its drafts.
    @Test func aBatchWithARefusedPartTakesNoMorePartsAndDoesNotCommit() throws {
        let directory = try TemporaryDirectory()
        let log = try store(directory)
        let gate = AtMost(limit: 2)
        var refusals = 0
        let error = #expect(throws: BatchRefusal.self) {
            try log.appendBatch(gate: gate) { batch in
                _ = try batch.append([draft()])
                do { _ = try batch.append([draft(), draft()]) } catch is BatchRefusal { refusals += 1 }
                _ = try batch.append([draft("site-b")])
            }
        }
        #expect(refusals == 1)
        #expect(error?.error == .database("a part of this batch was refused; the batch cannot go on"))
        #expect(try log.head().size == 0)
        let swallowed = #expect(throws: BatchRefusal.self) {
            try log.appendBatch(gate: gate) { batch in
                do { _ = try batch.append([draft(), draft(), draft()]) } catch is BatchRefusal {}
            }
        }
        #expect(swallowed?.offset == nil)
        #expect(try log.head().size == 0)
    }

    /// One event logged at site-a, and a draft with its id and other content.
    func loggedEventAndClash(in log: SQLiteEventStore, gate: AtMost) throws -> (EventDraft, EventDraft) {
        let logged = draft("site-a")
        _ = try log.append([logged], attaching: [], gate: gate)
        return (logged, draft("site-a", data: ["text": "other"], id: try #require(UUID(uuidString: logged.eventID))))
    }

    /// A part is inserted before it is admitted; an id that clashes with a logged event stops the insert there.
    /// The refusal is still the one an admission of every new draft gives first, and nothing of the part stays.
    @Test func anIDClashBeforeARefusedDraftReportsTheRefusal() throws {
        let directory = try TemporaryDirectory()
        let log = try store(directory)
        let gate = AtMost(limit: 1)
        let (_, clash) = try loggedEventAndClash(in: log, gate: gate)
        let part = [draft("site-b"), clash, draft("site-c"), draft("site-c")]
        let error = #expect(throws: BatchRefusal.self) {
            try log.appendBatch(gate: gate) { batch in _ = try batch.append(part) }
        }
        #expect(error?.offset == 3)
        #expect(error?.error.refusal as? AtMost.Full == AtMost.Full(count: 0))
        #expect(try log.head().size == 1)
        #expect(log.cachedState(site: "site-b", gate: gate) == nil)
    }

    @Test func anIDClashAloneIsReportedAtItsDraftAndNothingStays() throws {
        let directory = try TemporaryDirectory()
        let log = try store(directory)
        let gate = AtMost(limit: 5)
        let (logged, clash) = try loggedEventAndClash(in: log, gate: gate)
        let error = #expect(throws: BatchRefusal.self) {
            try log.appendBatch(gate: gate) { batch in _ = try batch.append([draft("site-b"), clash, draft("site-b")]) }
        }
        #expect(error?.offset == 1)
        #expect(error?.error == .eventIDConflict(eventID: logged.eventID, seq: 1))
        #expect(try log.head().size == 1)
        // The batch's states were never kept: the next append is judged on the log alone.
        _ = try log.append([draft("site-b")], attaching: [], gate: gate)
        #expect(log.cachedState(site: "site-b", gate: gate)?.state == 1)
    }

    /// Retries are inserted as nothing and admitted as nothing; a site whose drafts were all retries keeps its
    /// state, and the part's new drafts are folded at the seqs they were logged at.
    @Test func aPartOfRetriesAndNewDraftsFoldsOnlyTheNewOnes() throws {
        let directory = try TemporaryDirectory()
        let log = try store(directory)
        let gate = AtMost(limit: 3)
        let first = draft("site-a")
        let other = draft("site-b")
        _ = try log.append([first, other], attaching: [], gate: gate)
        let results = try log.append([first, draft("site-a"), other, draft("site-a")], attaching: [], gate: gate)
        #expect(results.map(\.inserted) == [false, true, false, true])
        #expect(results.map(\.seq) == [1, 3, 2, 4])
        #expect(log.cachedState(site: "site-a", gate: gate).map { [$0.state, Int($0.seq ?? 0)] } == [3, 4])
        #expect(log.cachedState(site: "site-b", gate: gate).map { [$0.state, Int($0.seq ?? 0)] } == [1, 2])
    }

    /// A site whose drafts were all retries is not read and keeps what it had: cache, head and snapshot row.
    @Test func aSiteWhoseDraftsAreAllRetriesKeepsItsHeadAcrossParts() throws {
        let directory = try TemporaryDirectory()
        let log = try store(directory)
        let gate = AtMost(limit: 4)
        let first = [draft("site-b"), draft("site-b")]
        try log.appendBatch(gate: gate) { batch in
            _ = try batch.append(first)
            // The same drafts again, in a later part of the same batch, beside one new draft elsewhere.
            let again = try batch.append(first + [draft("site-a")])
            #expect(again.map(\.inserted) == [false, false, true])
        }
        #expect(log.cachedState(site: "site-b", gate: gate).map { [$0.state, Int($0.seq ?? 0)] } == [2, 2])
        #expect(try log.snapshotRow(site: "site-b", format: AtMost.snapshotFormat)?.seq == 2)
        #expect(try log.snapshotRow(site: "site-a", format: AtMost.snapshotFormat)?.seq == 3)
        // A forged snapshot row of a retry-only site is never read: a retry of its events is answered as before.
        try log.dbQueue.write { db in
            try db.execute(sql: "UPDATE site_snapshot SET state = CAST('x' AS BLOB) WHERE site = 'site-b'")
        }
        let fresh = try SQLiteEventStore.open(at: directory.path("log.sqlite"))
        #expect(try fresh.append(first, attaching: [], gate: gate).map(\.seq) == [1, 2])
        #expect(try fresh.snapshotRow(site: "site-b", format: AtMost.snapshotFormat)?.state == Array("x".utf8))
    }

    /// An id clash after drafts of the refused site were inserted: its state before the part is read up to the log
    /// as it was, not with the part's rows the insert had already placed.
    @Test func aClashAfterInsertedDraftsOfTheRefusedSiteReadsItsStateBeforeThePart() throws {
        let directory = try TemporaryDirectory()
        let log = try store(directory)
        let gate = AtMost(limit: 2)
        let (_, clash) = try loggedEventAndClash(in: log, gate: gate)
        let error = #expect(throws: BatchRefusal.self) {
            try log.appendBatch(gate: gate) { batch in
                _ = try batch.append([draft("site-b"), draft("site-b"), clash, draft("site-b")])
            }
        }
        #expect(error?.offset == 3)
        #expect(error?.error.refusal as? AtMost.Full == AtMost.Full(count: 0))
        #expect(try log.head().size == 1)
    }
}
