import AuditCollector
import AuditCrypto
import AuditDomain
import AuditLog
import AuditSyncProtocol
import AuditTestSupport
import Foundation
import Testing

/// The collector's decisions against the in-memory store: continuation, fork, checkpoint and authentication.
@Suite struct IngestTests {
    let store = InMemoryCollectorStore()
    let installerKey: Ed25519PrivateKey
    let collector: Collector
    let log: InMemoryEventStore

    init() throws {
        installerKey = try Ed25519PrivateKey.generate()
        collector = try Collector(
            store: store,
            signer: try NoteSigner(
                name: "collector.test", type: .cosignatureV1, privateKey: try Ed25519PrivateKey.generate()),
            now: { 1_800_000_000 })
        log = InMemoryEventStore()
        _ = try SiteLog(log).append(ScenarioBuilder(site: "site-1", deviation: .skipAddrRestore).build().drafts)
    }

    func enrolled() async throws -> InstallerRecord {
        try await store.enroll(name: "ann", publicKey: installerKey.publicKey)
        return try #require(try await store.installer(named: "ann"))
    }

    func events(_ range: ClosedRange<Int64>) throws -> [LoggedEvent] {
        try log.events(EventFilter()).filter { range.contains($0.seq) }
    }

    @Test func aChunkBodyIsTheCanonicalJSONOfItsEvents() throws {
        var events = try events(1...30)
        // Escapes, a null stack, non-ASCII text and a control character, beside the scenario's own events.
        events[0].actor = "A \"quoted\" \\ tech\u{1}\n"
        events[1].stack = nil
        events[2].site = "Dépôt 7/Nord \u{1F50B}"
        events[3].payload = #"{"note":"tab\there","n":1}"#
        // Every byte below 0x20, and escapes at the start, side by side and at the end of a value.
        events[4].eventID = "\"" + (0..<0x20).map { String(UnicodeScalar(UInt8($0))) }.joined() + "\\\"\\"
        events[5].payload = ""
        var expected: [UInt8] = []
        JSONValue.object(["events": .array(events.map(SyncEvent.json))]).writeCanonical(into: &expected)
        let body = SyncEvent.chunkBody(events)
        #expect(String(decoding: body, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
        #expect(try SyncEvent.parseChunk(body, maximumEvents: 30) == events)
        // With a space after each member (outside strings every `,"` is structure), the general parser reads
        // the same events as the fast path did.
        let spaced = Array(String(decoding: body, as: UTF8.self).replacingOccurrences(of: ",\"", with: ", \"").utf8)
        #expect(spaced != body)
        #expect(try SyncEvent.parseChunk(spaced, maximumEvents: 30) == events)
        // A field twice is refused with the general parser's reason, not read by the fast path.
        let twice = Array(
            String(decoding: body, as: UTF8.self).replacingOccurrences(
                of: #"{"actor":"#, with: #"{"site":"x","actor":"#
            ).utf8)
        #expect(throws: SyncError.self) { try SyncEvent.parseChunk(twice, maximumEvents: 30) }
        #expect(throws: SyncError.self) { try SyncEvent.parseChunk(body, maximumEvents: 29) }
    }

    @Test func aPipelinedChunkThatArrivesFirstWaitsForTheOneAheadOfIt() async throws {
        let installer = try await enrolled()
        // The second chunk of a new log reaches the collector before the first: no log yet, then a gap.
        let second = Task {
            try await collector.append(
                logID: log.logID, installer: installer, body: SyncEvent.chunkBody(try events(11...20)))
        }
        // Short, so that on a loaded machine the first still starts within the second's bounded wait.
        try await Task.sleep(for: .milliseconds(10))
        let first = try await collector.append(
            logID: log.logID, installer: installer, body: SyncEvent.chunkBody(try events(1...10)))
        #expect(first == AppendOutcome(appended: 10, size: 10))
        #expect(try await second.value == AppendOutcome(appended: 10, size: 20))
        #expect(try await store.state(logID: log.logID)?.size == 20)
    }

    @Test func chunksContinueAndAReSendIsANoOp() async throws {
        let installer = try await enrolled()
        let total = try log.head().size
        let first = try await collector.append(
            logID: log.logID, installer: installer, body: SyncEvent.chunkBody(try events(1...10)))
        #expect(first == AppendOutcome(appended: 10, size: 10))
        let again = try await collector.append(
            logID: log.logID, installer: installer, body: SyncEvent.chunkBody(try events(5...10)))
        #expect(again == AppendOutcome(appended: 0, size: 10))
        let rest = try await collector.append(
            logID: log.logID, installer: installer, body: SyncEvent.chunkBody(try events(10...total)))
        #expect(rest == AppendOutcome(appended: Int(total - 10), size: total))
        let sites = try await store.sites(SiteQuery(failing: "dip.addr-restored"))
        #expect(sites.map(\.site) == ["site-1"])
        #expect(sites.first?.verdict == "fail")
        #expect(sites.first?.witnessed == false)
    }

    @Test func aGapATamperedHashOrAForeignGenesisIsRefusedAndNothingStored() async throws {
        let installer = try await enrolled()
        _ = try await collector.append(
            logID: log.logID, installer: installer, body: SyncEvent.chunkBody(try events(1...5)))
        await #expect(throws: SyncError.gap(first: 8, held: 5)) {
            try await collector.append(
                logID: log.logID, installer: installer, body: SyncEvent.chunkBody(try events(8...9)))
        }
        #expect(
            SyncError.gap(first: 8, held: 5).description
                == "refused: the chunk starts at seq 8; the collector holds 5: send from 6")
        var tampered = try events(6...7)
        tampered[1].payload = #"{"forged":1}"#
        await #expect(throws: SyncError.conflict("the hash of seq 7 is not the SHA-256 of its columns")) {
            try await collector.append(logID: log.logID, installer: installer, body: SyncEvent.chunkBody(tampered))
        }
        let other = "0190aaaa-0000-7000-8000-000000000000"
        await #expect(throws: SyncError.conflict("seq 1's prev_hash is not the genesis hash of log \(other)")) {
            try await collector.append(logID: other, installer: installer, body: SyncEvent.chunkBody(try events(1...2)))
        }
        await #expect(throws: SyncError.unknownLog(other)) {
            try await collector.append(logID: other, installer: installer, body: SyncEvent.chunkBody(try events(3...4)))
        }
        #expect(try await store.state(logID: log.logID)?.size == 5)
        #expect(try await store.state(logID: other) == nil)
    }

    @Test func anotherHashAtAHeldSeqIsAForkKeptAsEvidence() async throws {
        let installer = try await enrolled()
        _ = try await collector.append(
            logID: log.logID, installer: installer, body: SyncEvent.chunkBody(try events(1...5)))
        // A rewritten seq 5 with a self-consistent hash: what a key holder who edited the log would send.
        var rewritten = try events(5...5)[0]
        rewritten.payload = #"{"rewritten":true}"#
        rewritten.hash = ChainHash.hash(of: rewritten)
        await #expect(throws: SyncError.fork(seq: 5)) {
            try await collector.append(logID: log.logID, installer: installer, body: SyncEvent.chunkBody([rewritten]))
        }
        let evidence = try await store.forkEvidence(logID: log.logID)
        #expect(evidence.map(\.seq) == [5])
        #expect(evidence.first?.offered == rewritten.hash.hex)
        #expect(try await store.state(logID: log.logID)?.forked == true)
        #expect(try await store.state(logID: log.logID)?.size == 5)
    }

    func signedCheckpoint(size: Int64, key: Ed25519PrivateKey? = nil) throws -> [UInt8] {
        let leaves = try events(1...size).map { MerkleTree.leafHash(of: $0.hash, using: SHA256Hasher()) }
        let origin = TlogCheckpoint.origin(logID: log.logID)
        var note = SignedNote(
            text: TlogCheckpoint(origin: origin, size: size, root: MerkleTree.root(leafHashes: leaves)).text)
        note.sign(with: try NoteSigner(name: origin, privateKey: key ?? installerKey))
        return Array(note.serialized.utf8)
    }

    @Test func aCheckpointOverHeldEventsIsCosignedAndAnOlderOneRefused() async throws {
        let installer = try await enrolled()
        _ = try await collector.append(
            logID: log.logID, installer: installer, body: SyncEvent.chunkBody(try events(1...12)))
        let answer = try await collector.checkpoint(
            logID: log.logID, installer: installer, body: try signedCheckpoint(size: 12))
        let line = try SignedNote.signature(answer.dropLast()[...])
        let text = try SignedNote(parsing: try signedCheckpoint(size: 12)).text
        #expect(Cosignature.verify(line, text: text, key: collector.signer.verifierKey) != nil)
        #expect(try await store.sites(SiteQuery()).allSatisfy(\.witnessed))
        await #expect(throws: SyncError.conflict("the checkpoint has size 11; the collector accepted size 12")) {
            try await collector.checkpoint(logID: log.logID, installer: installer, body: try signedCheckpoint(size: 11))
        }
        await #expect(throws: SyncError.conflict("the checkpoint has size 13; the collector holds 12 events")) {
            try await collector.checkpoint(logID: log.logID, installer: installer, body: try signedCheckpoint(size: 13))
        }
        await #expect(
            throws: SyncError.forbidden("the checkpoint's signature does not verify with installer 'ann''s key")
        ) {
            try await collector.checkpoint(
                logID: log.logID, installer: installer,
                body: try signedCheckpoint(size: 12, key: try Ed25519PrivateKey.generate()))
        }
    }

    @Test func requestsAreRefusedUnlessSignedFreshOnceByAnEnrolledUnrevokedKey() async throws {
        _ = try await enrolled()
        let path = SyncProtocol.statePath(logID: log.logID)
        func headers(_ signature: RequestSignature) -> (String) -> String? { { signature.headers[$0] } }
        let good = RequestSignature.sign(
            method: "GET", path: path, body: [], installer: "ann", key: installerKey, now: 1_800_000_000)
        #expect(
            try await collector.authenticate(method: "GET", path: path, body: [], header: headers(good)).name == "ann")
        await #expect(throws: SyncError.unauthenticated("the request's nonce was already used: a replay")) {
            try await collector.authenticate(method: "GET", path: path, body: [], header: headers(good))
        }
        let stale = RequestSignature.sign(
            method: "GET", path: path, body: [], installer: "ann", key: installerKey, now: 1_800_000_000 - 301)
        await #expect(
            throws: SyncError.unauthenticated("the request's timestamp is more than 300 s from the collector's clock")
        ) {
            try await collector.authenticate(method: "GET", path: path, body: [], header: headers(stale))
        }
        let otherPath = RequestSignature.sign(
            method: "GET", path: "/v1/logs/x/state", body: [], installer: "ann", key: installerKey, now: 1_800_000_000)
        await #expect(throws: SyncError.unauthenticated("the signature does not verify with installer 'ann''s key")) {
            try await collector.authenticate(method: "GET", path: path, body: [], header: headers(otherPath))
        }
        let stranger = RequestSignature.sign(
            method: "GET", path: path, body: [], installer: "bob", key: installerKey, now: 1_800_000_000)
        await #expect(throws: SyncError.unauthenticated("installer 'bob' is not enrolled")) {
            try await collector.authenticate(method: "GET", path: path, body: [], header: headers(stranger))
        }
        try await store.revoke(name: "ann")
        let revoked = RequestSignature.sign(
            method: "GET", path: path, body: [], installer: "ann", key: installerKey, now: 1_800_000_000)
        await #expect(throws: SyncError.forbidden("installer 'ann' is revoked")) {
            try await collector.authenticate(method: "GET", path: path, body: [], header: headers(revoked))
        }
    }
}
