import AuditCore
import AuditDomain
import AuditLog
import AuditTestSupport
import Foundation
import Testing

/// SiteLog is the writers' one path: the admission gate runs on every append, and a refusal writes nothing.
@Suite struct SiteLogTests {
    let registration = DomainEvent.siteRegistered(
        SiteRegistered(
            model: DeviceModel(name: "BMS", addrPins: 6, invPins: 6),
            stacks: [StackIdentity(id: "S1", serial: "A", order: 1), StackIdentity(id: "S2", serial: "B", order: 2)]))

    func dip(_ position: String) throws -> DomainEvent {
        .dipObserved(DIPObserved(bank: .addr, position: try DIPPosition(parsing: position)))
    }

    /// The gate's own error, as the log carries it.
    func admission(_ error: AuditLogError) -> AdmissionError? { error.refusal as? AdmissionError }

    @Test func anObservationAtAnUnregisteredSiteIsRefusedAndNothingIsWritten() throws {
        let store = InMemoryEventStore()
        let log = SiteLog(store)
        let error = #expect(throws: AuditLogError.self) {
            try log.record(try dip("UDDDDD"), site: "p", stack: "S1", actor: "t")
        }
        #expect(error.flatMap(admission) == .unknownSite("p"))
        #expect(error?.exitStatus == .notFound)
        #expect(try store.head().size == 0)
    }

    @Test(arguments: [
        ("UDD", SysExit.invalidInput, "has 3 pins; this bank has 6"),
        ("UDDDDD", SysExit.notFound, "stack 'S9' is not registered"),
    ])
    func aRefusedObservationCarriesTheDomainsStatus(position: String, status: SysExit, message: String) throws {
        let store = InMemoryEventStore()
        let log = SiteLog(store)
        _ = try log.record(registration, site: "p", actor: "t")
        let stack = message.contains("S9") ? "S9" : "S1"
        let error = #expect(throws: AuditLogError.self) {
            try log.record(try dip(position), site: "p", stack: stack, actor: "t")
        }
        #expect(error?.exitStatus == status)
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
        #expect(try store.head().size == 1)
    }

    @Test func aBatchWithOneRefusedDraftWritesNone() throws {
        let store = InMemoryEventStore()
        let drafts = [
            registration.draft(site: "p", stack: nil, observedAt: nil, actor: "t"),
            try dip("UDDDDD").draft(site: "p", stack: "S1", observedAt: nil, actor: "t"),
            EventDraft(site: "p", type: "custom.thing", data: [:], actor: "t"),
        ]
        let error = #expect(throws: AuditLogError.self) { try SiteLog(store).append(drafts) }
        #expect(error.flatMap(admission) == .notADomainType("custom.thing", site: "p"))
        #expect(try store.head().size == 0)
    }

    @Test func registeringTwiceIsRefusingToOverwrite() throws {
        let log = SiteLog(InMemoryEventStore())
        _ = try log.record(registration, site: "p", actor: "t")
        let error = #expect(throws: AuditLogError.self) { try log.record(registration, site: "p", actor: "t") }
        #expect(error.flatMap(admission) == .alreadyRegistered(site: "p", seq: 1))
        #expect(error?.exitStatus == .refusingToOverwrite)
    }

    @Test func aRetryWithTheSameEventIDRecordsNothingNew() throws {
        let store = InMemoryEventStore()
        let log = SiteLog(store)
        let id = UUID()
        let first = try log.record(registration, site: "p", actor: "t", eventID: id)
        let again = try log.record(registration, site: "p", actor: "t", eventID: id)
        #expect(first.inserted && !again.inserted)
        #expect(again.seq == first.seq)
        #expect(try store.head().size == 1)
    }

    @Test func anUnknownStepNamesTheValidOnes() throws {
        let log = SiteLog(InMemoryEventStore())
        _ = try log.record(registration, site: "p", actor: "t")
        let error = #expect(throws: AuditLogError.self) {
            try log.record(.stepCompleted(StepCompleted(step: "isolate.dance")), site: "p", actor: "t")
        }
        #expect(error?.exitStatus == .notFound)
        #expect(error?.message.contains("its steps are prepare.record-originals, isolate.power-off") == true)
    }

    @Test func readingAnUnknownSiteIsNotFound() throws {
        let log = SiteLog(InMemoryEventStore())
        #expect(throws: SiteLogError.unknownSite("nowhere")) { try log.state(site: "nowhere") }
        #expect(throws: SiteLogError.unknownSite("nowhere")) { try log.check(site: "nowhere") }
        #expect(SiteLogError.unknownSite("x").exitStatus == .notFound)
    }

    @Test func sitesListsDomainAndGenericSitesWithPhaseAndVerdict() throws {
        // Each event recorded at its observed time: a batch import would leave the power-on pauses unverifiable.
        let clock = ManualClock(Timestamp(rfc3339: "2026-01-01T00:00:00Z")!)
        let store = InMemoryEventStore(clock: clock)
        let log = SiteLog(store)
        try ScenarioBuilder(site: "good", stackCount: 2).build().record(into: store, clock: clock)
        _ = try log.append(EventDraft(site: "generic", type: "reading.taken", data: ["n": 1], actor: "t"))
        let sites = try log.sites()
        #expect(sites.map(\.site) == ["good", "generic"])
        #expect(sites[0].phase == .completed)
        #expect(sites[0].verdict == .pass)
        #expect(sites[1].phase == nil && sites[1].verdict == nil)
        #expect(sites[1].eventCount == 1)
        #expect(try !log.check(site: "good").failed)
    }
}

/// The JSON Lines feed of `audit append --jsonl`: a batch is all or nothing, a per-line feed stops at a bad line.
@Suite struct JSONLinesFeedTests {
    func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appending(path: "feed-\(UUID().uuidString).jsonl").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    let good = #"{"site":"s","type":"reading.taken","data":{"n":1}}"#

    @Test func aBadLineRefusesTheWholeBatch() throws {
        let store = InMemoryEventStore()
        let path = try file(good + "\n{not json\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: FeedError.self) {
            try SiteLog(store).appendBatch(from: .file(path: path), defaultActor: "t") { _ in }
        }
        #expect(error?.line == 2)
        #expect(error?.exitStatus == .invalidInput)
        #expect(error?.message.hasPrefix("\(path): line 2: malformed JSON") == true, "\(String(describing: error))")
        #expect(try store.head().size == 0)
    }

    /// A batch longer than one part: a refusal in a later part takes back the parts before it, and names its line.
    @Test func aRefusalInALaterPartRollsBackEveryPartAndNamesItsLine() throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteEventStore.create(at: directory.path("log.db"))
        var lines = Array(repeating: good, count: SiteLog.partSize * 2 + 10)
        // A site the gate knows (registered), then a domain event it must refuse: an unknown stack's DIP.
        lines[SiteLog.partSize + 5] =
            #"{"site":"r","type":"dip.observed","stack":"S9","data":{"v":2,"bank":"addr","position":"UDDDDD"}}"#
        let path = try file(lines.joined(separator: "\n"))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var acknowledged = 0
        let error = #expect(throws: FeedError.self) {
            try SiteLog(store).appendBatch(from: .file(path: path), defaultActor: "t") { _ in acknowledged += 1 }
        }
        #expect(error?.line == SiteLog.partSize + 6)
        #expect(
            error?.message.hasPrefix("\(path): line \(SiteLog.partSize + 6): unknown site 'r'") == true,
            "\(String(describing: error))")
        #expect(error?.exitStatus == .notFound)
        #expect(acknowledged == 0)
        #expect(try store.head().size == 0)
    }

    /// Every line is acknowledged after commit, in input order, retries of logged events in their place.
    @Test func aLongBatchIsAcknowledgedInInputOrderWithRetriesInPlace() throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteEventStore.create(at: directory.path("log.db"))
        let id = UUID().uuidString.lowercased()
        let retry = #"{"site":"s","type":"reading.taken","event_id":"\#(id)","data":{"n":1}}"#
        let earlier = try SiteLog(store).append(try EventDraft.parseJSONLines(retry, defaultActor: "t")[0])
        var lines = Array(repeating: good, count: SiteLog.partSize + 3)
        lines[1] = retry
        lines[SiteLog.partSize + 1] = retry
        lines.insert("", at: 4)
        let path = try file(lines.joined(separator: "\n"))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var acknowledged: [AppendResult] = []
        try SiteLog(store).appendBatch(from: .file(path: path), defaultActor: "t") { acknowledged.append($0) }
        #expect(acknowledged.count == SiteLog.partSize + 3)
        #expect(acknowledged[1] == AppendResult(seq: earlier.seq, hash: earlier.hash, inserted: false))
        #expect(acknowledged[SiteLog.partSize + 1] == acknowledged[1])
        let inserted = acknowledged.filter(\.inserted)
        #expect(inserted.map(\.seq) == Array(2...Int64(SiteLog.partSize + 2)))
        #expect(inserted.last?.hash == (try store.head().hash))
    }

    /// An id used again in a later part names the line it was first used on, past blank lines and retries (the
    /// batch keeps its inserted lines as runs between them).
    @Test func anIDReusedInALaterPartNamesItsFirstLinePastGaps() throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteEventStore.create(at: directory.path("log.db"))
        let logged = UUID().uuidString.lowercased()
        let retry = #"{"site":"s","type":"reading.taken","event_id":"\#(logged)","data":{"n":1}}"#
        _ = try SiteLog(store).append(try EventDraft.parseJSONLines(retry, defaultActor: "t")[0])
        let reused = UUID().uuidString.lowercased()
        var lines = Array(repeating: good, count: SiteLog.partSize + 10)
        lines[1] = retry
        lines[3] = ""
        lines[6] = retry
        lines[10] = #"{"site":"s","type":"reading.taken","event_id":"\#(reused)","data":{"n":1}}"#
        lines[SiteLog.partSize + 5] = #"{"site":"s","type":"reading.taken","event_id":"\#(reused)","data":{"n":2}}"#
        let path = try file(lines.joined(separator: "\n"))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: FeedError.self) {
            try SiteLog(store).appendBatch(from: .file(path: path), defaultActor: "t") { _ in }
        }
        #expect(error?.line == SiteLog.partSize + 6)
        #expect(
            error?.message == "\(path): line \(SiteLog.partSize + 6): event id \(reused) appears twice in this batch, "
                + "lines 11 and \(SiteLog.partSize + 6), with different content")
        #expect(try store.head().size == 1)
    }

    /// Lines kept as runs read back by position: at each run's start and end, in one-line runs and in one long run.
    @Test func lineRunsReadBackEachLineByPosition() {
        for lines in [[5], [1, 2, 3, 4], [1, 3, 4, 5, 9, 10, 2, 7], Array(1...100) + [102] + Array(104...110)] {
            var runs = LineRuns()
            for line in lines { runs.append(line) }
            #expect(runs.count == lines.count)
            #expect(lines.indices.map { runs[$0] } == lines, "\(lines)")
        }
    }

    @Test func anEmptySourceIsAnEmptyBatch() throws {
        let store = InMemoryEventStore()
        var acknowledged: [AppendResult] = []
        try SiteLog(store).appendBatch(from: .file(path: "/dev/null"), defaultActor: "t") { acknowledged.append($0) }
        #expect(acknowledged.isEmpty)
        #expect(try store.head().size == 0)
    }

    /// A directory opens but cannot be read: both modes say so (74), and the batch records nothing.
    @Test(arguments: [false, true]) func anUnreadableSourceIsAnIOErrorNotAnEmptyFeed(perLine: Bool) throws {
        let directory = try TemporaryDirectory()
        let store = InMemoryEventStore()
        let error = #expect(throws: FeedError.self) {
            if perLine {
                try SiteLog(store).feed(from: .file(path: directory.url.path), defaultActor: "t") { _ in }
            } else {
                try SiteLog(store).appendBatch(from: .file(path: directory.url.path), defaultActor: "t") { _ in }
            }
        }
        #expect(error?.exitStatus == .ioError)
        #expect(error?.line == nil)
        #expect(error?.message.hasSuffix("cannot read it: Is a directory") == true, "\(String(describing: error))")
        #expect(try store.head().size == 0)
    }

    @Test func aMissingFileIsNotFound() throws {
        let missing = "/nonexistent-\(UUID().uuidString).jsonl"
        let error = #expect(throws: FeedError.self) {
            try SiteLog(InMemoryEventStore()).appendBatch(from: .file(path: missing), defaultActor: "t") { _ in }
        }
        #expect(error?.exitStatus == .notFound)
        #expect(error?.message == "\(missing): cannot read it: no such file")
    }

    @Test func aPerLineFeedKeepsWhatCameBeforeABadLine() throws {
        let store = InMemoryEventStore()
        let path = try file([good, good, #"{"site":"s"}"#, good].joined(separator: "\n"))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var acknowledged: [Int64] = []
        let error = #expect(throws: FeedError.self) {
            try SiteLog(store).feed(from: .file(path: path), defaultActor: "t") { acknowledged.append($0.seq) }
        }
        #expect(acknowledged == [1, 2])
        #expect(error?.line == 3)
        #expect(error?.message == "\(path): line 3: missing \"type\"")
        #expect(try store.head().size == 2)
    }

    @Test func aPerLineFeedRefusedByTheGateNamesTheLineAndKeepsTheStatus() throws {
        let store = InMemoryEventStore()
        let line = #"{"site":"p","type":"dip.observed","stack":"S1","data":{"v":2,"bank":"addr","position":"UD"}}"#
        let path = try file(line)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: FeedError.self) {
            try SiteLog(store).feed(from: .file(path: path), defaultActor: "t") { _ in }
        }
        #expect(error?.exitStatus == .notFound)
        #expect(error?.message == "\(path): line 1: unknown site 'p' (register it first with 'audit record site')")
        #expect(try store.head().size == 0)
    }

    /// More sites than a batch keeps states for: a site let go after one part is read back when a later part
    /// touches it, and judged as a full reread judges it.
    @Test(arguments: [false, true])
    func aSiteLetGoMidBatchIsJudgedFromTheLog(refused: Bool) throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteEventStore.create(at: directory.path("log.db"))
        // Whole parts of registrations, enough that the last of them holds more sites than are kept.
        let partSize = SiteLog.partSize
        let sites = (GatedBatch<SiteGate>.keptSites + partSize) / partSize * partSize
        var lines = (0..<sites).map { index in
            #"{"site":"p\#(index)","type":"site.registered","data":{"model":{"name":"BMS","addr_pins":6,"#
                + #""inv_pins":6},"stacks":[{"id":"S1","serial":"A\#(index)","order":1}]}}"#
        }
        // After the last part of registrations, p0 is the oldest site touched: it is let go before this line.
        let position = refused ? "UDD" : "UDDDDD"
        lines.append(
            #"{"site":"p0","type":"dip.observed","stack":"S1","data":{"v":2,"bank":"addr","position":"\#(position)"}}"#
        )
        let path = try file(lines.joined(separator: "\n"))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let log = SiteLog(store)
        if refused {
            let error = #expect(throws: FeedError.self) {
                try log.appendBatch(from: .file(path: path), defaultActor: "t") { _ in }
            }
            #expect(error?.line == sites + 1)
            #expect(error?.message.contains("has 3 pins; this bank has 6") == true, "\(String(describing: error))")
            #expect(try store.head().size == 0)
        } else {
            try log.appendBatch(from: .file(path: path), defaultActor: "t") { _ in }
            #expect(try store.head().size == Int64(sites + 1))
            let kept = try #require(store.cachedState(site: "p0", gate: SiteGate()))
            #expect(kept.seq == Int64(sites + 1))
            #expect(kept.state.facts == AdmissionState(try log.state(site: "p0")))
            #expect(kept.state.folded == 2)
            // What a batch keeps per site is the lean facts, never the whole fold with its history.
            #expect(kept.state.isLean)
            // The batch did let go: p1 (old, untouched since) is not kept; the last registered site is.
            #expect(store.cachedState(site: "p1", gate: SiteGate()) == nil)
            #expect(store.cachedState(site: "p\(sites - 1)", gate: SiteGate()) != nil)
        }
    }
}
