import AuditCollector
import AuditCollectorServer
import AuditCrypto
import AuditDomain
import AuditLog
import AuditSyncProtocol
import AuditTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// Every bad request of issue 12 through the collector's router, in process: its 4xx, one line of reason, and
/// the store exactly as it was before.
@Suite struct BadInputTests {
    let store = InMemoryCollectorStore()
    let installerKey: Ed25519PrivateKey
    let collector: Collector
    let log: InMemoryEventStore

    init() throws {
        installerKey = try Ed25519PrivateKey.generate()
        collector = try Collector(
            store: store,
            signer: try NoteSigner(
                name: "collector.test", type: .cosignatureV1, privateKey: try Ed25519PrivateKey.generate()))
        log = InMemoryEventStore()
        _ = try SiteLog(log).append(ScenarioBuilder(site: "site-1").build().drafts)
    }

    /// One request as a test case: what is sent and the status and reason expected.
    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var method: HTTPRequest.Method = .post
        var path: String
        var headers: HTTPFields = [:]
        var body: [UInt8] = []
        var status: HTTPResponse.Status
        var reason: String
    }

    func signed(
        _ method: HTTPRequest.Method, _ path: String, body: [UInt8], contentType: String?,
        key: Ed25519PrivateKey? = nil, now: Int64 = Int64(Date().timeIntervalSince1970)
    ) -> HTTPFields {
        var fields = HTTPFields()
        let signature = RequestSignature.sign(
            method: method.rawValue, path: path, body: body, installer: "ann", key: key ?? installerKey, now: now)
        for (name, value) in signature.headers { fields[.init(name)!] = value }
        if let contentType { fields[.contentType] = contentType }
        return fields
    }

    func checkpointBody(size: Int64, key: Ed25519PrivateKey? = nil) throws -> [UInt8] {
        let events = try log.events(EventFilter()).prefix(Int(size))
        let leaves = events.map { MerkleTree.leafHash(of: $0.hash, using: SHA256Hasher()) }
        let origin = TlogCheckpoint.origin(logID: log.logID)
        var note = SignedNote(
            text: TlogCheckpoint(origin: origin, size: size, root: MerkleTree.root(leafHashes: leaves)).text)
        note.sign(with: try NoteSigner(name: origin, privateKey: key ?? installerKey))
        return Array(note.serialized.utf8)
    }

    /// What the store holds, to compare before and after a refused request.
    func snapshot() async throws -> String {
        let logs = try await store.logs().map { "\($0.state) \($0.checkpointSize ?? -1) \($0.sites)" }
        let sites = try await store.sites(SiteQuery()).map { "\($0.logID)/\($0.site)/\($0.eventCount)" }
        let evidence = try await store.forkEvidence(logID: log.logID).map { "\($0.seq)" }
        return (logs + sites + evidence).joined(separator: "\n")
    }

    func cases() throws -> [Case] {
        let events = try log.events(EventFilter())
        let eventsPath = SyncProtocol.eventsPath(logID: log.logID)
        let checkpointPath = SyncProtocol.checkpointPath(logID: log.logID)
        let unknown = "0190bbbb-0000-7000-8000-000000000000"
        let unknownEvents = SyncProtocol.eventsPath(logID: unknown)
        let chunk = SyncEvent.chunkBody(Array(events[10..<15]))
        func post(_ path: String, _ body: [UInt8], _ type: String? = SyncProtocol.chunkContentType) -> HTTPFields {
            signed(.post, path, body: body, contentType: type)
        }
        let notJSON = Array("{\"events\": [".utf8)
        let notObject = Array(#"{"events": 3}"#.utf8)
        var missingField = String(decoding: SyncEvent.chunkBody([events[10]]), as: UTF8.self)
        missingField = missingField.replacingOccurrences(of: #""actor":"#, with: #""actress":"#)
        let tooMany = SyncEvent.chunkBody(Array(repeating: events[10], count: SyncProtocol.maximumChunkEvents + 1))
        let oversized = [UInt8](repeating: 0x20, count: SyncProtocol.maximumBodySize + 1)
        let foreignCheckpoint = try checkpointBody(size: 10, key: try Ed25519PrivateKey.generate())
        let goodCheckpoint = try checkpointBody(size: 10)
        let injectedLog = "/v1/logs/x'%3B%20DROP%20TABLE%20event%3B--/events"
        return [
            Case(
                description: "unsigned chunk", path: eventsPath,
                headers: [.contentType: SyncProtocol.chunkContentType], body: chunk, status: .unauthorized,
                reason: "not authenticated: no Audit-Installer header"),
            Case(
                description: "chunk signed by another key",
                path: eventsPath,
                headers: signed(
                    .post, eventsPath, body: chunk, contentType: SyncProtocol.chunkContentType,
                    key: try Ed25519PrivateKey.generate()), body: chunk, status: .unauthorized,
                reason: "not authenticated: the signature does not verify with installer 'ann''s key"),
            Case(
                description: "stale timestamp", path: eventsPath,
                headers: signed(
                    .post, eventsPath, body: chunk, contentType: SyncProtocol.chunkContentType,
                    now: Int64(Date().timeIntervalSince1970) - 3600), body: chunk, status: .unauthorized,
                reason: "not authenticated: the request's timestamp is more than 300 s from the collector's clock"),
            Case(
                description: "chunk as text/plain", path: eventsPath, headers: post(eventsPath, chunk, "text/plain"),
                body: chunk, status: .unsupportedMediaType, reason: "unsupported content type 'text/plain'"),
            Case(
                description: "chunk with no content type", path: eventsPath, headers: post(eventsPath, chunk, nil),
                body: chunk, status: .unsupportedMediaType, reason: "unsupported content type ''"),
            Case(
                description: "checkpoint as JSON", path: checkpointPath,
                headers: post(checkpointPath, goodCheckpoint, "application/json"), body: goodCheckpoint,
                status: .unsupportedMediaType, reason: "unsupported content type 'application/json'"),
            Case(
                description: "truncated JSON", path: eventsPath, headers: post(eventsPath, notJSON), body: notJSON,
                status: .badRequest, reason: "malformed request: the body is not JSON"),
            Case(
                description: "events not a list", path: eventsPath, headers: post(eventsPath, notObject),
                body: notObject, status: .badRequest, reason: "malformed request: the body is not {\"events\": [...]}"
            ),
            Case(
                description: "an event with an unknown field", path: eventsPath,
                headers: post(eventsPath, Array(missingField.utf8)), body: Array(missingField.utf8),
                status: .badRequest, reason: "malformed request: events[0] must have exactly the fields"),
            Case(
                description: "too many events", path: eventsPath, headers: post(eventsPath, tooMany), body: tooMany,
                status: .badRequest,
                reason: "malformed request: the chunk holds 2001 events; at most 2000 are read"),
            Case(
                description: "oversized body", path: eventsPath, headers: post(eventsPath, oversized),
                body: oversized, status: .contentTooLarge,
                reason: "the request body is larger than \(SyncProtocol.maximumBodySize) bytes"),
            Case(
                description: "chunk for an unknown log", path: unknownEvents, headers: post(unknownEvents, chunk),
                body: chunk, status: .notFound, reason: "unknown log '\(unknown)'"),
            Case(
                description: "checkpoint not a note", path: checkpointPath,
                headers: post(checkpointPath, Array("size 10\n".utf8), SyncProtocol.checkpointContentType),
                body: Array("size 10\n".utf8), status: .badRequest, reason: "malformed request: not a signed note"),
            Case(
                description: "checkpoint signed by another key", path: checkpointPath,
                headers: post(checkpointPath, foreignCheckpoint, SyncProtocol.checkpointContentType),
                body: foreignCheckpoint, status: .forbidden,
                reason: "forbidden: the checkpoint's signature does not verify with installer 'ann''s key"),
            Case(
                description: "SQL-looking log id", path: injectedLog,
                headers: post(injectedLog, chunk), body: chunk, status: .badRequest,
                reason: "malformed request: 'x'; DROP TABLE event;--' is not a log id"),
            Case(
                description: "SQL-looking site page", method: .get,
                path: "/sites/\(log.logID)/x'%20OR%201=1%3B%20DROP%20TABLE%20site%3B--", status: .notFound,
                reason: "unknown log '\(log.logID) site x' OR 1=1; DROP TABLE site;--'"),
            Case(
                description: "SQL-looking filter name", method: .get, path: "/v1/sites?site'%20OR%201=1--=x",
                status: .badRequest, reason: "malformed request: unknown filter 'site'%20OR%201'"),
            Case(
                description: "SQL-looking limit", method: .get, path: "/v1/sites?limit=1%3B%20DROP%20TABLE%20site",
                status: .badRequest, reason: "malformed request: limit is a number from 0 to 10000"),
        ]
    }

    @Test func eachBadRequestIs4xxWithOneLineAndStoresNothing() async throws {
        try await store.enroll(name: "ann", publicKey: installerKey.publicKey)
        // Ten events held and the log known, so a refusal could change something.
        let held = try await collector.append(
            logID: log.logID, installer: try #require(try await store.installer(named: "ann")),
            body: SyncEvent.chunkBody(Array(try log.events(EventFilter(limit: 10)))))
        #expect(held.size == 10)
        let cases = try cases()
        let before = try await snapshot()
        let app = CollectorServer.application(
            collector: collector, database: nil, host: "127.0.0.1", port: 0, logger: Logger(label: "bad-input"))
        try await app.test(.router) { client in
            for item in cases {
                try await client.execute(
                    uri: item.path, method: item.method, headers: item.headers, body: ByteBuffer(bytes: item.body)
                ) { response in
                    let text = String(buffer: response.body)
                    #expect(response.status == item.status, "\(item): \(text)")
                    #expect((400...499).contains(response.status.code), "\(item)")
                    #expect(text.hasPrefix(item.reason), "\(item): \(text)")
                    #expect(text.hasSuffix("\n") && text.dropLast().allSatisfy { !$0.isNewline }, "\(item): \(text)")
                }
                #expect(try await snapshot() == before, "\(item) changed the store")
            }
        }
    }

    @Test func aReplayedRequestIsRefusedAndStoresNothing() async throws {
        try await store.enroll(name: "ann", publicKey: installerKey.publicKey)
        let path = SyncProtocol.eventsPath(logID: log.logID)
        let body = SyncEvent.chunkBody(Array(try log.events(EventFilter(limit: 5))))
        let headers = signed(.post, path, body: body, contentType: SyncProtocol.chunkContentType)
        let app = CollectorServer.application(
            collector: collector, database: nil, host: "127.0.0.1", port: 0, logger: Logger(label: "bad-input"))
        try await app.test(.router) { client in
            try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: body)) {
                #expect($0.status == .ok)
            }
            let before = try await snapshot()
            try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: body)) {
                #expect($0.status == .unauthorized)
                #expect(
                    String(buffer: $0.body) == "not authenticated: the request's nonce was already used: a replay\n")
            }
            #expect(try await snapshot() == before)
        }
    }
}
