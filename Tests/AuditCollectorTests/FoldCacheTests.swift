import AuditCrypto
import AuditDomain
import AuditLog
import AuditSyncProtocol
import AuditTestSupport
import Foundation
import Logging
import Testing

@testable import AuditCollector

/// The collector carries each touched site's fold from chunk to chunk: the rows it gives are the rows a fold of
/// the site's whole history gives, and a kept fold is used only for the head it was folded to.
@Suite struct FoldCacheTests {
    /// `sites` runs one after another (every deviation in turn), with a correction of one observation appended.
    static func log(logID: String, sites: Int) throws -> [LoggedEvent] {
        let log = InMemoryEventStore(logID: logID)
        let deviations: [Deviation?] = [nil] + Deviation.allCases
        for index in 0..<sites {
            _ = try SiteLog(log).append(
                ScenarioBuilder(site: "site-\(index)", deviation: deviations[index % deviations.count]).build().drafts)
        }
        var events = try log.events(EventFilter())
        // A correction of site-0's first DIP reading with the value it already had: the fold refolds its history.
        guard let dip = events.first(where: { $0.site == "site-0" && $0.type == EventType.dipObserved.rawValue })
        else { throw CorrectionMissing() }
        var correction = dip
        correction.seq = Int64(events.count + 1)
        correction.eventID = "correction-1"
        correction.payload = String(dip.payload.dropLast()) + #","corrects":\#(dip.seq),"reason":"misread"}"#
        correction.prevHash = events[events.count - 1].hash
        correction.hash = ChainHash.hash(of: correction)
        events.append(correction)
        return events
    }

    struct CorrectionMissing: Error {}

    /// The row of every site from all its events at once: what the fleet view must show.
    static func expected(_ events: [LoggedEvent], logID: String) -> [FleetSite] {
        Set(events.map(\.site)).sorted().map { site in
            FleetSite.project(logID: logID, installer: "ann", site: site, events: events.filter { $0.site == site })
        }
    }

    @Test(arguments: [1, 7, 64, 1_000])
    func aFoldCarriedAcrossChunksGivesTheWholeSitesRow(chunk: Int) throws {
        let events = try Self.log(logID: "00000000-fold", sites: 4)
        var running: [String: RunningSite] = [:]
        for start in stride(from: 0, to: events.count, by: chunk) {
            for event in events[start..<min(start + chunk, events.count)] {
                running[event.site, default: RunningSite(site: event.site)].apply(event)
            }
        }
        let rows = running.keys.sorted().compactMap { running[$0]?.row(logID: "00000000-fold", installer: "ann") }
        #expect(rows == Self.expected(events, logID: "00000000-fold"))
        #expect(rows.first?.verdict != "unreadable")
        #expect(rows.first?.eventCount == events.filter { $0.site == "site-0" }.count)
    }

    @Test func anEventThatDoesNotFoldLeavesTheSiteUnreadableAsARebuildDoes() throws {
        var events = try Self.log(logID: "00000000-bad", sites: 1)
        events[3].payload = "{not json"
        var running = RunningSite(site: "site-0")
        for event in events { running.apply(event) }
        let row = running.row(logID: "00000000-bad", installer: "ann")
        #expect(row.verdict == "unreadable")
        #expect(row == FleetSite.project(logID: "00000000-bad", installer: "ann", site: "site-0", events: events))
    }

    @Test func aKeptFoldIsGivenOnlyForItsHeadAndIsTakenOnce() {
        let cache = SiteFoldCache(maximumLogs: 2, maximumSites: 2)
        let head = Digest(bytes: (7, 7, 7, 7))
        let other = Digest(bytes: (8, 8, 8, 8))
        let sites = ["a": RunningSite(site: "a"), "b": RunningSite(site: "b"), "c": RunningSite(site: "c")]
        cache.keep(logID: "l1", size: 10, head: head, sites: sites, touched: ["c"])
        #expect(cache.count(logID: "l1") == 2)
        #expect(cache.take(logID: "l1", size: 10, head: other).isEmpty)
        // The mismatch dropped it: the right head finds nothing now.
        #expect(cache.take(logID: "l1", size: 10, head: head).isEmpty)
        cache.keep(logID: "l1", size: 10, head: head, sites: sites, touched: ["c"])
        #expect(Set(cache.take(logID: "l1", size: 10, head: head).keys) == ["a", "c"])
        #expect(cache.take(logID: "l1", size: 10, head: head).isEmpty)
        // An older state answered late does not replace a newer one; the least recently kept log goes first.
        cache.keep(logID: "l1", size: 20, head: other, sites: sites, touched: ["a"])
        cache.keep(logID: "l1", size: 10, head: head, sites: sites, touched: ["a"])
        #expect(Set(cache.take(logID: "l1", size: 20, head: other).keys) == ["a", "b"])
        cache.keep(logID: "l1", size: 1, head: head, sites: sites, touched: [])
        cache.keep(logID: "l2", size: 1, head: head, sites: sites, touched: [])
        cache.keep(logID: "l3", size: 1, head: head, sites: sites, touched: [])
        #expect(cache.count(logID: "l1") == 0)
        #expect(cache.count(logID: "l3") == 2)
    }

    /// Chunks that split sites, through two stores on one database (two collector processes): each store's kept
    /// folds go stale when the other appends, and every row still equals the whole-history fold.
    @Test func twoStoresAppendingInTurnGiveTheWholeHistoryRows() async throws {
        let database = try await PostgresCluster.shared.database()
        var logger = Logger(label: "audit-collector.test")
        logger.logLevel = .warning
        let first = PostgresCollectorStore(url: try DatabaseURL(parsing: database), logger: logger)
        let second = PostgresCollectorStore(url: try DatabaseURL(parsing: database), logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await first.client.run() }
            group.addTask { await second.client.run() }
            defer { group.cancelAll() }
            try await first.migrate()
            try await first.enroll(name: "ann", publicKey: try Ed25519PrivateKey.generate().publicKey)
            let logID = "00000000-two-stores"
            let events = try Self.log(logID: logID, sites: 5)
            let chunk = 37
            let stores = [first, first, second, first, second, second, first]
            var start = 0
            var turn = 0
            while start < events.count {
                let store = stores[turn % stores.count]
                let part = Array(events[start..<min(start + chunk, events.count)])
                let outcome = try await store.append(logID: logID, installer: "ann", chunk: part)
                #expect(outcome.size == part[part.count - 1].seq)
                start += chunk
                turn += 1
            }
            #expect(first.folds.count(logID: logID) > 0)
            let rows = try await first.sites(SiteQuery())
            #expect(rows == Self.expected(events, logID: logID))
            #expect(rows.count == 5)
            #expect(rows.contains { $0.verdict == "fail" })
        }
    }
}
