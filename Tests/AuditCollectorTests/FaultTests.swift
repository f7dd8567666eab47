import AuditCrypto
import AuditDomain
import AuditLog
import AuditSyncClient
import AuditSyncProtocol
import AuditTestSupport
import Foundation
import Testing

/// Faults with real processes: the collector killed mid-sync, PostgreSQL restarted under load, 20 laptops at once.
@Suite struct FaultTests {
    @Test func killingTheCollectorMidSyncLosesNoAcknowledgedChunkAndTheNextSyncCompletes() async throws {
        let scratch = try TemporaryDirectory(prefix: "audit-collector-kill")
        let collector = try await CollectorFixture.make(in: scratch)
        let laptop = try Laptop.make(in: scratch, drafts: ScenarioBuilder.fleet(sites: 40))
        try await collector.enroll("ann", publicKey: laptop.publicKey)
        let store = try SQLiteEventStore.open(at: laptop.db)
        let size = try store.head().size
        try await collector.serve(port: 0) { running in
            // SIGKILL lands while the sixth chunk is on the wire; no retry, so the client stops at once.
            let transport = KillingTransport(afterAcknowledged: 5, kill: running.kill)
            let client = try SyncClient(
                base: running.url, installer: "ann",
                key: try KeyFiles.loadPrivateKey(at: URL(fileURLWithPath: laptop.privateKey)),
                transport: transport, chunkSize: 25, retry: SyncRetry(retries: 0))
            await #expect(throws: SyncClientError.self) { try await client.sync(store: store) }
            let acknowledged = try #require(transport.acknowledged.last)
            // At least the five chunks before the kill; on a loaded machine the sixth may be answered before the
            // SIGKILL lands. Either way the collector holds what it acknowledged and not the whole log.
            #expect(acknowledged >= 125)
            let held = try #require(Int64(try await collector.sql("SELECT size FROM log")))
            #expect(held >= acknowledged && held < size, "held \(held), acknowledged \(acknowledged)")
            try await Self.expectHeldPrefix(collector, laptop, size: held)
        }
        try await collector.serve(port: 0) { running in
            let resumed = try await laptop.sync(to: running.url, extra: ["--chunk", "25"])
            #expect(resumed.status == 0, "\(resumed.stderr)")
            try await Self.expectHolds(collector, laptop)
        }
    }

    @Test func postgresRestartedUnderLoadLosesNothingAndTheSyncsComplete() async throws {
        let scratch = try TemporaryDirectory(prefix: "audit-collector-pg-restart")
        // A cluster of its own: the restart must not reach the other tests' databases.
        let cluster = PostgresCluster()
        let collector = try await CollectorFixture.make(in: scratch, cluster: cluster)
        var laptops: [Laptop] = []
        for index in 0..<4 {
            let laptop = try Laptop.make(
                in: scratch, name: "laptop-\(index)", drafts: ScenarioBuilder.fleet(sites: 12))
            try await collector.enroll("installer-\(index)", publicKey: laptop.publicKey)
            laptops.append(laptop)
        }
        try await collector.serve { url, _ in
            let finished = Counter()
            let results = try await withThrowingTaskGroup(of: (Int, Run.Result).self) { group in
                for (index, laptop) in laptops.enumerated() {
                    group.addTask {
                        let result = try await laptop.sync(
                            to: url, installer: "installer-\(index)", extra: ["--chunk", "10", "--retries", "20"])
                        finished.add()
                        return (index, result)
                    }
                }
                // Restart once events are flowing and before every sync is done.
                while try await collector.sql("SELECT count(*) FROM event") == "0" {
                    try await Task.sleep(for: .milliseconds(20))
                }
                try await cluster.restart()
                #expect(finished.value < laptops.count, "every sync ended before the restart: nothing was tested")
                return try await Self.collect(&group)
            }
            try await Self.expectEverySynced(results, laptops, collector)
            // The collector is the same process throughout: it reconnected, and still answers.
            let after = try await CollectorProcessTests.get(url + "/v1/logs")
            #expect(after["logs"]?.arrayValue?.count == laptops.count)
        }
    }

    @Test func twentyLaptopsSyncingAtOnceLoseNothing() async throws {
        let scratch = try TemporaryDirectory(prefix: "audit-collector-twenty")
        let collector = try await CollectorFixture.make(in: scratch)
        let hostile = "x'); DROP TABLE event; --"
        var laptops: [Laptop] = []
        for index in 0..<20 {
            let sites = [("site-\(index)-a", nil), (index == 7 ? hostile : "site-\(index)-b", Deviation?.none)]
            let laptop = try Laptop.make(in: scratch, name: "laptop-\(index)", sites: sites)
            try await collector.enroll("installer-\(index)", publicKey: laptop.publicKey)
            laptops.append(laptop)
        }
        try await collector.serve { url, _ in
            let results = try await withThrowingTaskGroup(of: (Int, Run.Result).self) { group in
                for (index, laptop) in laptops.enumerated() {
                    group.addTask {
                        (
                            index,
                            try await laptop.sync(to: url, installer: "installer-\(index)", extra: ["--chunk", "7"])
                        )
                    }
                }
                return try await Self.collect(&group)
            }
            try await Self.expectEverySynced(results, laptops, collector)
            let logs = try #require(try await CollectorProcessTests.get(url + "/v1/logs")["logs"]?.arrayValue)
            #expect(logs.count == 20)
            #expect(logs.allSatisfy { $0["checkpoint"]?["size"] == $0["size"] })
            #expect(try await collector.sql("SELECT count(DISTINCT installer) FROM log") == "20")
            // The SQL-looking site name is one site's name, stored and found as text.
            let query = hostile.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let found = try await CollectorProcessTests.get(url + "/v1/sites?site=\(query)")
            #expect(found["sites"]?.arrayValue?.compactMap { $0["site"]?.stringValue } == [hostile])
            #expect(try await collector.sql("SELECT count(*) FROM site") == "40")
        }
    }

    /// The group's syncs by laptop index.
    static func collect(_ group: inout ThrowingTaskGroup<(Int, Run.Result), any Error>) async throws
        -> [Int: Run.Result]
    {
        var results: [Int: Run.Result] = [:]
        for try await (index, result) in group { results[index] = result }
        return results
    }

    /// Every laptop's `audit sync` exited 0, and the collector holds exactly its log.
    static func expectEverySynced(
        _ results: [Int: Run.Result], _ laptops: [Laptop], _ collector: CollectorFixture
    ) async throws {
        for (index, laptop) in laptops.enumerated() {
            let result = try #require(results[index])
            #expect(result.status == 0, "laptop \(index): \(result.stderr)")
            try await expectHolds(collector, laptop)
        }
    }

    /// The collector holds exactly the laptop's log: every (seq, hash) in order, chained, and cosigned at its size.
    static func expectHolds(_ collector: CollectorFixture, _ laptop: Laptop) async throws {
        let store = try SQLiteEventStore.open(at: laptop.db)
        #expect(try store.verify().isIntact)
        let size = try store.head().size
        try await expectHeldPrefix(collector, laptop, size: size)
        #expect(
            try await collector.sql("SELECT size, witnessed_size FROM log WHERE log_id = '\(laptop.logID)'")
                == "\(size)|\(size)")
    }

    /// The collector's rows of the laptop's log are exactly its first `size` events: no gap, no double, every
    /// prev_hash the hash before it.
    static func expectHeldPrefix(_ collector: CollectorFixture, _ laptop: Laptop, size: Int64) async throws {
        let local = try SQLiteEventStore.open(at: laptop.db).events(EventFilter(limit: Int(size)))
            .map { "\($0.seq) \($0.prevHash.hex) \($0.hash.hex)" }
        let held = try await collector.sql(
            "SELECT seq || ' ' || prev_hash || ' ' || hash FROM event WHERE log_id = '\(laptop.logID)' ORDER BY seq")
        #expect(held.split(separator: "\n").map(String.init) == local, "log \(laptop.logID)")
        #expect(
            try await collector.sql(
                """
                SELECT count(*) FROM event e JOIN event p ON p.log_id = e.log_id AND p.seq = e.seq - 1
                WHERE e.log_id = '\(laptop.logID)' AND p.hash <> e.prev_hash
                """) == "0")
    }
}

/// Counts finished tasks across the test's task group.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

/// `audit sync`'s socket transport that records each acknowledged chunk's size and SIGKILLs the collector while the chunk after the
/// `afterAcknowledged`th is in flight.
final class KillingTransport: SyncTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var sizes: [Int64] = []
    private var killed = false
    let afterAcknowledged: Int
    let kill: @Sendable () -> Void
    let inner = SocketSyncTransport(timeout: 30)

    init(afterAcknowledged: Int, kill: @escaping @Sendable () -> Void) {
        self.afterAcknowledged = afterAcknowledged
        self.kill = kill
    }

    /// The collector's size after each chunk it answered 200 to, in order.
    var acknowledged: [Int64] { lock.withLock { sizes } }

    func send(
        method: String, url: URL, headers: [String: String], body: [UInt8]
    ) async throws(SyncClientError) -> (status: Int, body: [UInt8]) {
        let isChunk = url.path.hasSuffix("/events")
        let killNow = lock.withLock {
            guard isChunk, !killed, sizes.count >= afterAcknowledged else { return false }
            killed = true
            return true
        }
        if killNow {
            let kill = self.kill
            Task {
                try await Task.sleep(for: .milliseconds(5))
                kill()
            }
        }
        let answer = try await inner.send(method: method, url: url, headers: headers, body: body)
        if isChunk, answer.status == 200, let size = (try? JSONValue(parsing: answer.body))?["size"]?.integerValue {
            lock.withLock { sizes.append(size) }
        }
        return answer
    }
}
