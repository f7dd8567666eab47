import AuditCore
import AuditCrypto
import AuditDomain
import AuditLog
import AuditReports
import AuditTestSupport
import AuditWitness
import AuditWitnessClient
import Foundation
import Synchronization
import Testing

/// Witnesses in process, reached through the client's transport protocol: the tlog-witness answers, no HTTP.
struct InProcessWitnesses: WitnessTransport {
    let witnesses: [String: Witness]
    /// Witnesses whose URL is "down": they answer nothing, as on a site without network.
    let network = Network()

    final class Network: Sendable {
        let down = Mutex<Set<String>>([])

        func cut(_ url: String) { _ = down.withLock { $0.insert(url) } }
    }

    func post(_ body: [UInt8], to url: URL, witness: String) async throws(WitnessClientError) -> (
        status: Int, body: [UInt8]
    ) {
        let base = url.deletingLastPathComponent().absoluteString.trimmingCharacters(in: ["/"])
        guard let target = witnesses[base], !network.down.withLock({ $0.contains(base) }) else {
            throw .unreachable(witness: witness, reason: "connection refused")
        }
        do { return (200, Array(try target.addCheckpoint(body: body).utf8)) } catch {
            return (error.httpStatus, Array(error.responseBody.utf8))
        }
    }
}

/// A log on disk with a site, its signing key, and witnesses that trust it.
final class WitnessedSite: @unchecked Sendable {
    let scratch: TemporaryDirectory
    let store: SQLiteEventStore
    let key: GeneratedKey
    let signingKey: Ed25519PrivateKey
    let witnessSigners: [NoteSigner]
    let transport: InProcessWitnesses
    /// The witnesses' clock, in Unix seconds; tests move it to see "first witnessed" times.
    let clock = WitnessClock()

    final class WitnessClock: Sendable {
        let seconds = Mutex<UInt64>(1_800_000_000)

        var now: UInt64 { seconds.withLock { $0 } }
    }

    init(witnesses count: Int = 2) throws {
        scratch = try TemporaryDirectory(prefix: "audit-witnessed")
        store = try SQLiteEventStore.create(at: scratch.path("audit.db"))
        _ = try SiteLog(store).append(ScenarioBuilder(site: "site-1").build().drafts)
        key = try KeyLocation.generate(in: scratch.url.appending(path: "keys"))
        signingKey = try KeyFiles.loadPrivateKey(at: key.privateKey)
        let logKey = try NoteVerifierKey(name: store.origin, publicKey: signingKey.publicKey)
        var signers: [NoteSigner] = []
        var witnesses: [String: Witness] = [:]
        let clock = self.clock
        for index in 1...count {
            let signer = try NoteSigner(
                name: "w\(index).example", type: .cosignatureV1, privateKey: try Ed25519PrivateKey.generate())
            let state = InMemoryWitnessState()
            try state.trust(try TrustedLog(origin: store.origin, key: logKey))
            witnesses["http://w\(index).example"] = try Witness(
                signer: signer, state: state, now: { clock.now })
            try store.addWitness(LogWitness(key: signer.verifierKey, url: "http://w\(index).example"))
            signers.append(signer)
        }
        witnessSigners = signers
        transport = InProcessWitnesses(witnesses: witnesses)
    }

    var witnessKeys: [NoteVerifierKey] { witnessSigners.map(\.verifierKey) }

    func advance(seconds: UInt64) { clock.seconds.withLock { $0 += seconds } }

    func submit() async throws -> [WitnessOutcome] {
        try await HTTPCheckpointSubmitter(transport: transport).submit(store: store, key: signingKey)
    }

    /// Writes a report, submitting first, into a new folder; returns it and the notices.
    func report(_ name: String = "report") async throws -> WrittenReport {
        try await ReportWriter().write(
            site: "site-1", logPath: scratch.path("audit.db"), keyPath: key.privateKey.path,
            to: scratch.url.appending(path: name), submitter: HTTPCheckpointSubmitter(transport: transport))
    }

    func verify(_ written: WrittenReport, policy: WitnessPolicy? = nil) throws(ReportError) -> Report {
        try ReportVerifier.verify(directory: written.directory, publicKeyPath: key.publicKey.path, policy: policy)
    }

    func appendNote(_ text: String) throws {
        _ = try SiteLog(store).append(
            DomainEvent.noteAdded(NoteAdded(text: text)).draft(
                site: "site-1", stack: nil,
                observedAt: Timestamp(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000)),
                actor: "t"))
    }
}

@Suite struct WitnessedReportTests {
    @Test func aReportEmbedsEveryCosignatureAndVerifiesUnderAQuorumPolicy() async throws {
        let site = try WitnessedSite(witnesses: 2)
        let written = try await site.report()
        #expect(written.witnessNotices.isEmpty)
        let report = written.report
        #expect(report.witnessing.status == .witnessed)
        #expect(Set(report.witnessing.cosignatures.map(\.witness)) == Set(site.witnessKeys))
        // The note is the checkpoint under the log's origin, signed by the log, then cosigned by each witness.
        #expect(report.witnessing.note.text.hasPrefix(site.store.origin + "\n\(report.checkpoint.size)\n"))
        #expect(report.witnessing.note.signatures.count == 3)
        let all = try WitnessPolicy(witnesses: site.witnessKeys)
        #expect(try site.verify(written, policy: all).witnessing.status == .witnessed)
        #expect(report.readings.allSatisfy { $0.firstWitnessedAt?.millisecondsSinceEpoch == 1_800_000_000_000 })
    }

    @Test func aPolicyWithAnUntrustedOrMissingWitnessFailsAndSaysWhichIsMissing() async throws {
        let site = try WitnessedSite(witnesses: 1)
        let written = try await site.report()
        let stranger = try NoteSigner(
            name: "stranger.example", type: .cosignatureV1, privateKey: try Ed25519PrivateKey.generate())
        let both = try WitnessPolicy(witnesses: site.witnessKeys + [stranger.verifierKey])
        let error = #expect(throws: ReportError.self) { try site.verify(written, policy: both) }
        #expect(error?.exitStatus == .no)
        #expect(error?.message == "witness policy not met: 1 of the 2 cosignatures needed (missing: stranger.example)")
        let oneOfTwo = try WitnessPolicy(witnesses: site.witnessKeys + [stranger.verifierKey], quorum: 1)
        #expect(throws: Never.self) { try site.verify(written, policy: oneOfTwo) }
    }

    @Test func aQuorumOutsideTheKeysOrANonWitnessKeyIsRefused() throws {
        let signer = try NoteSigner(
            name: "w.example", type: .cosignatureV1, privateKey: try Ed25519PrivateKey.generate())
        let logKey = try NoteVerifierKey(name: "log", publicKey: try Ed25519PrivateKey.generate().publicKey)
        #expect(throws: ReportError.self) { try WitnessPolicy(witnesses: [signer.verifierKey], quorum: 2) }
        #expect(throws: ReportError.self) { try WitnessPolicy(witnesses: [signer.verifierKey], quorum: 0) }
        let error = #expect(throws: ReportError.self) { try WitnessPolicy(witnesses: [logKey]) }
        #expect(error?.exitStatus == .invalidInput)
    }

    @Test func withEveryWitnessDownTheReportIsWrittenNotWitnessedAndFailsAPolicy() async throws {
        let site = try WitnessedSite(witnesses: 1)
        site.transport.network.cut("http://w1.example")
        let written = try await site.report()
        #expect(written.witnessNotices == ["witness w1.example is unreachable: connection refused"])
        #expect(written.report.witnessing.status == .notWitnessed)
        #expect(written.report.readings.allSatisfy { $0.firstWitnessedAt == nil })
        // Without a policy it still verifies: it is a valid report that says it is not witnessed.
        #expect(try site.verify(written).witnessing.status == .notWitnessed)
        let html = try String(contentsOf: written.directory.appending(path: "report.html"), encoding: .utf8)
        #expect(html.contains("NOT WITNESSED"))
        let error = #expect(throws: ReportError.self) {
            try site.verify(written, policy: try WitnessPolicy(witnesses: site.witnessKeys))
        }
        #expect(error?.message.hasPrefix("the report is NOT WITNESSED") == true)
    }

    @Test func offlineAfterAnEarlierCosignatureEmbedsTheLatestCheckpointThatCoversTheSite() async throws {
        let site = try WitnessedSite(witnesses: 1)
        let first = try await site.submit()
        let cosignedSize = try #require(try first.first?.result.get().size)
        // Another site's events arrive later and are not witnessed: they do not belong to site-1's report.
        _ = try SiteLog(site.store).append(ScenarioBuilder(site: "site-2").build().drafts)
        site.transport.network.cut("http://w1.example")
        let written = try await site.report()
        #expect(written.witnessNotices.count == 1)
        #expect(written.report.checkpoint.size == cosignedSize)
        #expect(written.report.witnessing.status == .witnessed)
        #expect(written.report.events.allSatisfy { $0.verifies(against: written.report.checkpoint) })
        #expect(try site.verify(written, policy: try WitnessPolicy(witnesses: site.witnessKeys)).site == "site-1")
    }

    @Test func eachEventShowsWhenAWitnessFirstSawItAndTheHistoryVerifies() async throws {
        let site = try WitnessedSite(witnesses: 1)
        _ = try await site.submit()
        let firstSize = try site.store.checkpoint().size
        site.advance(seconds: 3 * 86_400)
        try site.appendNote("found a loose cable, fixed")
        let written = try await site.report()
        let report = written.report
        #expect(report.witnessing.history.map(\.cosigned.size) == [firstSize])
        let early = try #require(report.readings.first)
        let late = try #require(report.readings.last)
        #expect(early.firstWitnessedAt?.millisecondsSinceEpoch == 1_800_000_000_000)
        #expect(late.firstWitnessedAt == Timestamp(millisecondsSinceEpoch: (1_800_000_000 + 3 * 86_400) * 1000))
        #expect(try site.verify(written).readings.last?.firstWitnessedAt == late.firstWitnessedAt)
        let html = try String(contentsOf: written.directory.appending(path: "report.html"), encoding: .utf8)
        #expect(html.contains("days later"))
    }

    @Test func eachEventHasATlogProofFileThatVerifiesOnItsOwn() async throws {
        let site = try WitnessedSite(witnesses: 1)
        let written = try await site.report()
        let report = written.report
        for proven in report.events {
            let file = written.directory.appending(path: "proofs/\(proven.event.seq).tlog-proof")
            let proof = try TlogProof(parsing: Array(try Data(contentsOf: file)))
            #expect(proof.index == proven.event.seq - 1)
            #expect(proof.extra == proven.event.hash.rawBytes)
            let checkpoint = try TlogCheckpoint(parsing: proof.checkpoint.text)
            let logKey = try NoteVerifierKey(name: site.store.origin, publicKey: site.signingKey.publicKey)
            #expect(try proof.checkpoint.verify([logKey]) == [logKey])
            #expect(
                proof.checkpoint.signatures.contains {
                    Cosignature.verify($0, text: proof.checkpoint.text, key: site.witnessKeys[0]) != nil
                })
            #expect(
                MerkleTree.verifyInclusion(
                    leafHash: MerkleTree.leafHash(proof.extra ?? []), index: Int(proof.index),
                    treeSize: Int(checkpoint.size), proof: proof.hashes, root: checkpoint.root))
        }
    }

    @Test func anEditedProofFileOrACosignatureFromAnotherCheckpointIsRefused() async throws {
        let site = try WitnessedSite(witnesses: 1)
        let written = try await site.report()
        let file = written.directory.appending(path: "proofs/1.tlog-proof")
        let original = try Data(contentsOf: file)
        try Data(String(decoding: original, as: UTF8.self).replacingOccurrences(of: "index 0", with: "index 1").utf8)
            .write(to: file)
        let error = #expect(throws: ReportError.self) { try site.verify(written) }
        #expect(
            error?.message == "proofs/1.tlog-proof does not match report.json: it is not the proof the report derives")
        try original.write(to: file)
        #expect(throws: Never.self) { try site.verify(written) }
    }

    @Test func aRewrittenLogsStoredCosignaturesAreNeverEmbedded() async throws {
        let site = try WitnessedSite(witnesses: 1)
        _ = try await site.submit()
        // The stored cosigned checkpoint claims a root this log does not have at that size: as after a rewrite.
        let stored = try #require(try site.store.cosignedCheckpoints().first)
        var forged = stored
        forged.size = stored.size - 1
        try site.store.recordCosigned(forged)
        site.transport.network.cut("http://w1.example")
        let written = try await site.report()
        #expect(
            written.witnessNotices.contains {
                $0.contains("cosigned size \(stored.size - 1) with a root this log no longer has")
            })
        #expect(written.report.witnessing.history.allSatisfy { $0.cosigned.size != stored.size - 1 })
        #expect(try site.verify(written).witnessing.status == .witnessed)
    }
}
