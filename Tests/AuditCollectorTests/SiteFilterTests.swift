import AuditCollector
import AuditCrypto
import AuditDomain
import AuditLog
import AuditSyncProtocol
import AuditTestSupport
import Foundation
import Logging
import Testing

/// Every `GET /v1/sites` filter, in process, against the in-memory store and the PostgreSQL store (migrations
/// 0001 and 0002 applied): the same fleet gives the same rows, in the same order, from both.
@Suite struct SiteFilterTests {
    static let hostile = "x'); DROP TABLE site; --"

    /// Three logs by two installers: witnessed, half-witnessed, and forked; passing, failing and stale sites.
    static func fill(_ store: any CollectorStore) async throws -> [String: InMemoryEventStore] {
        try await store.enroll(name: "ann", publicKey: try Ed25519PrivateKey.generate().publicKey)
        try await store.enroll(name: "bob", publicKey: try Ed25519PrivateKey.generate().publicKey)
        let day: Int64 = 86_400_000
        let plans: [(String, String, [(String, Deviation?)])] = [
            ("log-a", "ann", [("a-ok", nil), ("a-bad", .skipAddrRestore), ("a-stale", .staleVersion)]),
            ("log-b", "bob", [("b-1", nil), ("b-2", .skipInvRestore)]),
            ("log-c", "bob", [(hostile, nil)]),
        ]
        var logs: [String: InMemoryEventStore] = [:]
        for (index, (name, installer, sites)) in plans.enumerated() {
            let log = InMemoryEventStore(logID: "0000000\(index)-\(name)")
            for (offset, (site, deviation)) in sites.enumerated() {
                let start = Timestamp(millisecondsSinceEpoch: 1_768_464_000_000 + Int64(index * 3 + offset) * day)
                _ = try SiteLog(log).append(
                    ScenarioBuilder(site: site, deviation: deviation, start: start).build().drafts)
            }
            let events = try log.events(EventFilter())
            for chunk in stride(from: 0, to: events.count, by: 17) {
                _ = try await store.append(
                    logID: log.logID, installer: installer, chunk: Array(events[chunk..<min(chunk + 17, events.count)]))
            }
            logs[name] = log
        }
        // log-a cosigned whole; log-b only as far as its first site; log-c rewritten after its sync.
        for (name, size) in [("log-a", try logs["log-a"]!.head().size), ("log-b", try firstSiteEnd(logs["log-b"]!))] {
            let log = logs[name]!
            let leaves = try log.events(EventFilter()).prefix(Int(size)).map {
                MerkleTree.leafHash(of: $0.hash, using: SHA256Hasher())
            }
            _ = try await store.recordCheckpoint(
                logID: log.logID, size: size, root: MerkleTree.root(leafHashes: leaves), note: "note \(name)",
                cosignature: "cosignature \(name)")
        }
        let forked = logs["log-c"]!
        var rewritten = try forked.events(EventFilter()).prefix(4).last!
        rewritten.payload = #"{"rewritten":true}"#
        rewritten.hash = ChainHash.hash(of: rewritten)
        await #expect(throws: SyncError.fork(seq: 4)) {
            try await store.append(logID: forked.logID, installer: "bob", chunk: [rewritten])
        }
        return logs
    }

    static func firstSiteEnd(_ log: InMemoryEventStore) throws -> Int64 {
        let events = try log.events(EventFilter())
        return events.last { $0.site == events[0].site }!.seq
    }

    @Test func eachFilterGivesTheSameSitesInMemoryAndOnPostgreSQL() async throws {
        let database = try await PostgresCluster.shared.database()
        var logger = Logger(label: "audit-collector.test")
        logger.logLevel = .warning
        let postgres = PostgresCollectorStore(url: try DatabaseURL(parsing: database), logger: logger)
        let memory = InMemoryCollectorStore()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await postgres.client.run() }
            defer { group.cancelAll() }
            try await postgres.migrate()
            // Applying again is a no-op: both files are recorded, neither changed.
            try await postgres.migrate()
            _ = try await Self.fill(memory)
            let logs = try await Self.fill(postgres)
            // The stored compact range of each log, extended chunk by chunk, has the root of all its leaves.
            for log in logs.values {
                let leaves = try log.events(EventFilter()).map {
                    MerkleTree.leafHash(of: $0.hash, using: SHA256Hasher())
                }
                let range = try #require(try await postgres.compactRange(logID: log.logID))
                #expect(range.size == Int64(leaves.count))
                #expect(range.root == MerkleTree.root(leafHashes: leaves))
            }

            let all = try await memory.sites(SiteQuery())
            #expect(all.count == 6)
            // The stale site's last stack stayed on its old firmware: a version only it has.
            let firmware = try #require(all.first { $0.site == "a-stale" }?.firmware.last)
            let middle = all.map(\.lastAt).sorted()[3]
            let simulated = all.filter(\.simulation).count
            let queries: [(String, SiteQuery, Int)] = [
                ("all", SiteQuery(), 6),
                ("failing", SiteQuery(failing: "dip.addr-restored"), 1),
                ("failing unknown rule", SiteQuery(failing: "no.such-rule"), 0),
                ("verdict fail", SiteQuery(verdict: "fail"), all.filter { $0.verdict == "fail" }.count),
                (
                    "verdict unverifiable", SiteQuery(verdict: "unverifiable"),
                    all.filter { $0.verdict == "unverifiable" }.count
                ),
                ("installer", SiteQuery(installer: "bob"), 3),
                ("firmware", SiteQuery(firmware: firmware), all.filter { $0.firmware.contains(firmware) }.count),
                ("firmware unknown", SiteQuery(firmware: "0.0.0"), 0),
                ("witnessed", SiteQuery(witnessed: true), 4),
                ("not witnessed", SiteQuery(witnessed: false), 2),
                ("fork", SiteQuery(forked: true), 1),
                ("no fork", SiteQuery(forked: false), 5),
                ("simulation", SiteQuery(simulation: true), simulated),
                ("visit", SiteQuery(simulation: false), all.count - simulated),
                ("since", SiteQuery(since: middle), 3),
                ("until", SiteQuery(until: middle), 3),
                ("site", SiteQuery(site: "b-2"), 1),
                ("SQL-looking site", SiteQuery(site: Self.hostile), 1),
                (
                    "combined", SiteQuery(verdict: "fail", installer: "bob", witnessed: false),
                    all.filter { $0.verdict == "fail" && $0.installer == "bob" && !$0.witnessed }.count
                ),
                ("page", SiteQuery(limit: 2, offset: 3), 2),
            ]
            for (name, query, count) in queries {
                let inMemory = try await memory.sites(query)
                let onPostgres = try await postgres.sites(query)
                #expect(onPostgres == inMemory, "\(name)")
                #expect(inMemory.count == count, "\(name): \(inMemory.map(\.site))")
            }
            // The filters are not vacuous here: failing and unverifiable sites, one stale firmware, a combination.
            #expect(queries[3].2 > 0, "\(all.map(\.verdict))")
            #expect(queries[4].2 > 0, "\(all.map(\.verdict))")
            #expect(queries[6].2 == 1, "\(all.map(\.firmware))")
            #expect(queries[18].2 > 0, "\(all.map { ($0.site, $0.verdict, $0.installer, $0.witnessed) })")
            #expect(try await postgres.latestCheckpoint(logID: "00000000-log-a")?.note == "note log-a")
            #expect(try await memory.latestCheckpoint(logID: "00000000-log-a")?.note == "note log-a")
        }
    }
}
