import AuditCrypto
import AuditDomain
import AuditLog
import AuditSyncClient
import AuditSyncProtocol
import AuditTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A real PostgreSQL, a real `audit-server collector` process and the real `audit sync`.
@Suite struct CollectorProcessTests {
    @Test func syncReSyncAndTheFleetView() async throws {
        let scratch = try TemporaryDirectory(prefix: "audit-collector")
        let collector = try await CollectorFixture.make(in: scratch)
        let laptop = try Laptop.make(in: scratch, sites: [("site-ok", nil), ("site-bad", .skipAddrRestore)])
        try await collector.enroll("ann", publicKey: laptop.publicKey)
        let size = try SQLiteEventStore.open(at: laptop.db).head().size
        try await collector.serve { url, vkey in
            let first = try await laptop.sync(to: url, extra: ["--chunk", "7"])
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stdout.contains("synced \(size) events"), "\(first.stdout)")
            // Nothing new: a re-sync stores nothing and is cosigned again at the same size.
            let again = try await laptop.sync(to: url)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdout.contains("synced 0 events"), "\(again.stdout)")
            #expect(try await collector.sql("SELECT count(*) FROM event") == String(size))
            // The cosignature is stored in the laptop's log as a witness's, under the collector's key.
            let cosigned = try SQLiteEventStore.open(at: laptop.db).cosignedCheckpoints()
            #expect(cosigned.map(\.witness.description) == [vkey])
            #expect(cosigned.first?.size == size)

            let failing = try await Self.get(url + "/v1/sites?failing=dip.addr-restored")
            let sites = try #require(failing["sites"]?.arrayValue)
            #expect(sites.compactMap { $0["site"]?.stringValue } == ["site-bad"])
            #expect(sites.first?["verdict"] == "fail")
            #expect(sites.first?["witnessed"] == true)
            #expect(sites.first?["installer"] == "ann")
            // The verdict `audit check` gives on the laptop, from the same rules.
            let local = try SQLiteEventStore.open(at: laptop.db).events(site: "site-ok")
            let verdict = SiteCheck(try SiteProjection.rebuild(site: "site-ok", events: local)).verdict.rawValue
            #expect(verdict != "fail")
            let same = try await Self.get(url + "/v1/sites?verdict=\(verdict)")
            #expect(same["sites"]?.arrayValue?.compactMap { $0["site"]?.stringValue } == ["site-ok"])
            let logs = try #require(try await Self.get(url + "/v1/logs")["logs"]?.arrayValue)
            #expect(logs.count == 1)
            #expect(logs.first?["log_id"]?.stringValue == laptop.logID)
            #expect(logs.first?["size"]?.integerValue == size)
            #expect(logs.first?["checkpoint"]?["size"]?.integerValue == size)
        }
    }

    @Test func aCutSyncResumesWhereTheAcknowledgedPartEnded() async throws {
        let scratch = try TemporaryDirectory(prefix: "audit-collector")
        let collector = try await CollectorFixture.make(in: scratch)
        let laptop = try Laptop.make(in: scratch, sites: [("site-1", nil), ("site-2", nil)])
        try await collector.enroll("ann", publicKey: laptop.publicKey)
        let store = try SQLiteEventStore.open(at: laptop.db)
        let size = try store.head().size
        try await collector.serve { url, _ in
            // The connection drops after the state request and two chunks of 5 have been acknowledged.
            let cut = CutTransport(after: 4)
            let client = try SyncClient(
                base: url, installer: "ann",
                key: try KeyFiles.loadPrivateKey(at: URL(fileURLWithPath: laptop.privateKey)),
                transport: cut, chunkSize: 5, retry: SyncRetry(retries: 0))
            await #expect(throws: SyncClientError.self) { try await client.sync(store: store) }
            #expect(try await collector.sql("SELECT size FROM log") == "10")
            let resumed = try await laptop.sync(to: url, extra: ["--chunk", "5"])
            #expect(resumed.status == 0, "\(resumed.stderr)")
            #expect(resumed.stdout.contains("synced \(size - 10) events"), "\(resumed.stdout)")
            #expect(try await collector.sql("SELECT count(*), max(seq) FROM event") == "\(size)|\(size)")
        }
    }

    @Test func aRewrittenLogIsRefusedWith409AndTheRowsKeptAsEvidence() async throws {
        let scratch = try TemporaryDirectory(prefix: "audit-collector")
        let collector = try await CollectorFixture.make(in: scratch)
        let laptop = try Laptop.make(in: scratch)
        try await collector.enroll("ann", publicKey: laptop.publicKey)
        try await collector.serve { url, _ in
            #expect(try await laptop.sync(to: url).status == 0)
            let held = try await collector.sql("SELECT size FROM log")
            try await Self.forge(laptop.db, seq: 3)
            let refused = try await laptop.sync(to: url)
            #expect(refused.status == 1)
            #expect(refused.stderrLines.count == 1, "\(refused.stderr)")
            #expect(refused.stderr.contains("(409)") && refused.stderr.contains("fork"), "\(refused.stderr)")
            #expect(try await collector.sql("SELECT seq FROM fork_evidence") == held)
            #expect(try await collector.sql("SELECT fork_detected_at IS NOT NULL FROM log") == "t")
            #expect(try await collector.sql("SELECT size FROM log") == held)
            let forked = try await Self.get(url + "/v1/sites?fork=true")
            #expect(forked["sites"]?.arrayValue?.count == 1)
        }
    }

    @Test func unknownAndRevokedKeysAreRefusedAndStoreNothing() async throws {
        let scratch = try TemporaryDirectory(prefix: "audit-collector")
        let collector = try await CollectorFixture.make(in: scratch)
        let laptop = try Laptop.make(in: scratch)
        let stranger = try Laptop.make(in: scratch, name: "stranger")
        try await collector.enroll("ann", publicKey: laptop.publicKey)
        try await collector.serve { url, _ in
            let unknown = try await stranger.sync(to: url, installer: "bob")
            #expect(unknown.status == 1)
            #expect(unknown.stderr.contains("(401)") && unknown.stderr.contains("'bob' is not enrolled"))
            // Ann's name with the stranger's key: the signature fails.
            let wrongKey = try await stranger.sync(to: url, installer: "ann")
            #expect(wrongKey.stderr.contains("(401)") && wrongKey.stderr.contains("does not verify"))
            #expect(try await collector.sql("SELECT count(*) FROM log") == "0")

            let synced = try await laptop.sync(to: url)
            #expect(synced.status == 0, "\(synced.stderr)")
            let kept = try await collector.sql("SELECT count(*) FROM event")
            let revoke = try await Run.server([
                "collector", "revoke", "--database", collector.database, "--installer", "ann",
            ])
            #expect(revoke.status == 0, "\(revoke.stderr)")
            _ = try SiteLog(try SQLiteEventStore.open(at: laptop.db)).append(
                ScenarioBuilder(site: "site-2").build().drafts)
            let revoked = try await laptop.sync(to: url)
            #expect(revoked.status == 1)
            #expect(revoked.stderrLines.count == 1)
            #expect(revoked.stderr.contains("(403)") && revoked.stderr.contains("revoked"), "\(revoked.stderr)")
            #expect(try await collector.sql("SELECT count(*) FROM event") == kept)
        }
        let again = try await Run.server([
            "collector", "enroll", "--database", collector.database, "--installer", "ann", "--pubkey",
            laptop.publicKey,
        ])
        #expect(again.status == 1)
        #expect(again.stderr.contains("already enrolled"), "\(again.stderr)")
    }

    @Test func anUnreachableCollectorIsOneLineAndExit74() async throws {
        let scratch = try TemporaryDirectory(prefix: "audit-collector")
        let laptop = try Laptop.make(in: scratch)
        let port = try FreePort.pick()
        let result = try await laptop.sync(to: "http://127.0.0.1:\(port)", extra: ["--timeout", "5"])
        #expect(result.status == 74)
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("unreachable"), "\(result.stderr)")
    }

    @Test func badRequestsGet4xxWithOneLineAndStoreNothing() async throws {
        let scratch = try TemporaryDirectory(prefix: "audit-collector")
        let collector = try await CollectorFixture.make(in: scratch)
        let laptop = try Laptop.make(in: scratch)
        try await collector.enroll("ann", publicKey: laptop.publicKey)
        let key = try KeyFiles.loadPrivateKey(at: URL(fileURLWithPath: laptop.privateKey))
        let events = try SQLiteEventStore.open(at: laptop.db).events(EventFilter(limit: 3))
        let path = SyncProtocol.eventsPath(logID: laptop.logID)
        try await collector.serve { url, _ in
            func post(_ body: [UInt8], contentType: String = "application/json", signed: Bool = true) async throws -> (
                Int, String
            ) {
                var headers = ["Content-Type": contentType]
                if signed {
                    headers.merge(
                        RequestSignature.sign(method: "POST", path: path, body: body, installer: "ann", key: key)
                            .headers
                    ) { $1 }
                }
                return try await Self.send("POST", url + path, headers: headers, body: body)
            }
            let good = SyncEvent.chunkBody(events)
            #expect(try await post(good, signed: false).0 == 401)
            #expect(try await post(good, contentType: "text/plain").0 == 415)
            let malformed = try await post(Array(#"{"events": 3}"#.utf8))
            #expect(malformed.0 == 400)
            #expect(malformed.1.split(separator: "\n").count == 1)
            #expect(try await post([UInt8](repeating: 0x20, count: SyncProtocol.maximumBodySize + 1)).0 == 413)
            let tooMany = SyncEvent.chunkBody(Array(repeating: events[0], count: SyncProtocol.maximumChunkEvents + 1))
            #expect(try await post(tooMany).0 == 400)
            // The same signed request twice: the second is a replay.
            var headers = ["Content-Type": "application/json"]
            headers.merge(
                RequestSignature.sign(method: "POST", path: path, body: good, installer: "ann", key: key).headers
            ) { $1 }
            #expect(try await Self.send("POST", url + path, headers: headers, body: good).0 == 200)
            let replay = try await Self.send("POST", url + path, headers: headers, body: good)
            #expect(replay.0 == 401)
            #expect(replay.1.contains("replay"))
            #expect(try await collector.sql("SELECT count(*) FROM event") == "3")
            // A SQL-looking filter is a value like any other: no site, no error, every table intact.
            let injected = try await Self.get(
                url + "/v1/sites?site=" + "x' OR 1=1; DROP TABLE event; --".addingPercentEncoding(
                    withAllowedCharacters: .alphanumerics)!)
            #expect(injected["sites"]?.arrayValue?.isEmpty == true)
            #expect(try await Self.send("GET", url + "/v1/sites?nonsense=1", headers: [:], body: []).0 == 400)
            #expect(try await collector.sql("SELECT count(*) FROM event") == "3")
        }
    }

    /// Edits the payload of `seq` and recomputes every later hash, as a key holder could.
    static func forge(_ db: String, seq: Int) async throws {
        let script = LogForgery.script
        let result = try await Run.tool("python3", ["-c", script, db, String(seq)])
        #expect(result.status == 0, "\(result.stderr)")
    }

    static func get(_ url: String) async throws -> JSONValue {
        let (status, body) = try await send("GET", url, headers: [:], body: [])
        #expect(status == 200, "\(body)")
        return try JSONValue(parsing: body)
    }

    static func send(_ method: String, _ url: String, headers: [String: String], body: [UInt8]) async throws -> (
        Int, String
    ) {
        let (status, bytes) = try await URLSessionSyncTransport(timeout: 30).send(
            method: method, url: try #require(URL(string: url)), headers: headers, body: body)
        return (status, String(decoding: bytes, as: UTF8.self))
    }
}

/// `audit sync`'s socket transport that stops answering after `after` requests: a connection cut in the middle of a sync.
final class CutTransport: SyncTransport, @unchecked Sendable {
    let lock = NSLock()
    var remaining: Int
    let inner = SocketSyncTransport(timeout: 30)

    init(after count: Int) { remaining = count }

    func send(
        method: String, url: URL, headers: [String: String], body: [UInt8]
    ) async throws(SyncClientError) -> (status: Int, body: [UInt8]) {
        let allowed = lock.withLock {
            remaining -= 1
            return remaining >= 0
        }
        guard allowed else { throw .unreachable(url: url.absoluteString, reason: "the connection was cut") }
        return try await inner.send(method: method, url: url, headers: headers, body: body)
    }
}
