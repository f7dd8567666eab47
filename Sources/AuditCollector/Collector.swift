import AuditCore
import AuditCrypto
import AuditLog
import AuditSyncProtocol
import Foundation

/// The collector's decisions, apart from HTTP: who is asking, whether a chunk continues the log, whether a
/// checkpoint holds, and its cosignature as a witness of every log it receives.
public struct Collector: Sendable {
    public let store: any CollectorStore
    /// The collector's cosignature/v1 signer: its verifier key is what auditors pass to `verify-report --witness`.
    public let signer: NoteSigner
    /// The key the collector signs sites' reports with (the Ed25519 key behind `signer`); nil signs none.
    public let reportKey: Ed25519PrivateKey?
    /// Seconds since the Unix epoch; injected so tests can move the clock.
    public let now: @Sendable () -> Int64
    /// The chunks of each log being appended in this process, for a chunk that arrived before its predecessor.
    let appending = AppendsInFlight()

    public init(
        store: any CollectorStore, signer: NoteSigner, reportKey: Ed25519PrivateKey? = nil,
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) throws(SyncError) {
        guard signer.verifierKey.type == .cosignatureV1 else {
            throw .malformed("a collector cosigns with a cosignature/v1 key (type 04)")
        }
        self.store = store
        self.signer = signer
        self.reportKey = reportKey
        self.now = now
    }

    /// The default key name of a collector whose Ed25519 key has `keyID`.
    public static func defaultName(keyID: String) -> String { "audit-collector/\(keyID)" }

    /// Checks a request's signature headers against the enrolled key, then spends its nonce.
    ///
    /// Unknown installer, bad signature, stale timestamp or replayed nonce: 401; a revoked installer: 403.
    public func authenticate(
        method: String, path: String, body: [UInt8], header: (String) -> String?
    ) async throws(SyncError) -> InstallerRecord {
        let signature = try RequestSignature(headers: header)
        guard let installer = try await store.installer(named: signature.installer) else {
            throw .unauthenticated("installer '\(signature.installer)' is not enrolled")
        }
        try signature.verify(method: method, path: path, body: body, key: installer.publicKey, now: now())
        guard !installer.revoked else { throw .forbidden("installer '\(installer.name)' is revoked") }
        guard try await store.useNonce(installer: installer.name, nonce: signature.nonce, now: now()) else {
            throw .unauthenticated("the request's nonce was already used: a replay")
        }
        return installer
    }

    /// What the collector holds of a log, for its owner: `{"log_id", "size", "head"}`; size 0 for an unknown log.
    public func state(logID: String, installer: InstallerRecord) async throws(SyncError) -> JSONValue {
        try LogID.check(logID)
        let state = try await store.state(logID: logID)
        if let state, state.installer != installer.name {
            throw .forbidden("log \(logID) is synced by another installer")
        }
        return [
            "log_id": .string(logID), "size": .integer(state?.size ?? 0),
            "head": .string((state?.head ?? ChainHash.genesis(logID: logID)).hex),
            "witnessed_size": .integer(state?.witnessedSize ?? 0), "fork_detected": .bool(state?.forked ?? false),
        ]
    }

    /// Parses and stores one chunk of events.
    ///
    /// `audit sync` sends the next chunks while this one is stored, on other connections; a chunk that finds
    /// the one before it missing waits for it while an append of the same log is under way here (or briefly,
    /// for one on another collector process), then is refused as a gap. Each chunk is still stored in its own
    /// transaction, only as a continuation, and acknowledged after its commit.
    public func append(logID: String, installer: InstallerRecord, body: [UInt8]) async throws(SyncError)
        -> AppendOutcome
    {
        try LogID.check(logID)
        appending.enter(logID)
        defer { appending.leave(logID) }
        let chunk = try SyncEvent.parseChunk(body, maximumEvents: SyncProtocol.maximumChunkEvents)
        let start = ContinuousClock.now
        var pause = Duration.milliseconds(1)
        while true {
            do throws(SyncError) {
                return try await store.append(logID: logID, installer: installer.name, chunk: chunk)
            } catch {
                // A log's first chunks can arrive in either order too: the second finds no log yet.
                switch error {
                case .gap: break
                case .unknownLog where (chunk.first?.seq ?? 1) > 1: break
                default: throw error
                }
                let bound = appending.count(logID) > 1 ? Self.gapWaitWhileAppending : Self.gapWait
                guard ContinuousClock.now - start < bound else { throw error }
                do { try await Task.sleep(for: pause) } catch { throw SyncError.storage("the request was cancelled") }
                pause = min(pause * 2, .milliseconds(20))
            }
        }
    }

    /// How long a chunk that finds a gap waits while another append of its log runs in this process.
    static let gapWaitWhileAppending: Duration = .seconds(30)
    /// How long it waits otherwise: the chunk before it may be on its way to another collector process.
    static let gapWait: Duration = .milliseconds(250)

    /// Verifies a signed checkpoint against the held events and the last accepted one, then cosigns it.
    ///
    /// Returns the cosignature line and a newline, as a tlog-witness answers add-checkpoint.
    public func checkpoint(logID: String, installer: InstallerRecord, body: [UInt8]) async throws(SyncError)
        -> String
    {
        try LogID.check(logID)
        let note: SignedNote
        do { note = try SignedNote(parsing: body) } catch { throw .malformed("not a signed note: \(error.message)") }
        let checkpoint: TlogCheckpoint
        do { checkpoint = try TlogCheckpoint(parsing: note.text) } catch {
            throw .malformed("not a checkpoint: \(error.message)")
        }
        let origin = TlogCheckpoint.origin(logID: logID)
        guard checkpoint.origin == origin else {
            throw .conflict("the checkpoint's origin is '\(checkpoint.origin)', not '\(origin)'")
        }
        let logKey: NoteVerifierKey
        do { logKey = try NoteVerifierKey(name: origin, publicKey: installer.publicKey) } catch {
            throw .malformed(error.message)
        }
        do { _ = try note.verify([logKey]) } catch {
            throw .forbidden("the checkpoint's signature does not verify with installer '\(installer.name)''s key")
        }
        guard let state = try await store.state(logID: logID) else { throw .unknownLog(logID) }
        guard state.installer == installer.name else { throw .forbidden("log \(logID) is synced by another installer") }
        guard !state.forked else { throw .conflict("log \(logID) was rewritten after an earlier sync (fork)") }
        guard checkpoint.size <= state.size else {
            throw .conflict("the checkpoint has size \(checkpoint.size); the collector holds \(state.size) events")
        }
        guard checkpoint.size >= state.witnessedSize else {
            throw .conflict(
                "the checkpoint has size \(checkpoint.size); the collector accepted size \(state.witnessedSize)")
        }
        let root: Digest?
        if let range = try await store.compactRange(logID: logID), range.size == checkpoint.size {
            root = range.root
        } else {
            let leaves = try await store.leafHashes(logID: logID, size: checkpoint.size)
            root = leaves.count == Int(checkpoint.size) ? MerkleTree.root(leafHashes: leaves) : nil
        }
        guard root == checkpoint.root else {
            throw .conflict("the checkpoint's root is not the root of the collector's \(checkpoint.size) events")
        }
        let cosignature = Cosignature.sign(checkpointText: note.text, timestamp: UInt64(now()), with: signer)
        // Stored as the log's signature and ours, the way a witness serves the notes it cosigned.
        let logSignatures = note.signatures.filter { $0.name == logKey.name && $0.keyID == logKey.keyID }
        let served = SignedNote(text: note.text, signatures: logSignatures + [cosignature])
        let stored = try await store.recordCheckpoint(
            logID: logID, size: checkpoint.size, root: checkpoint.root, note: served.serialized,
            cosignature: cosignature.line)
        return stored + "\n"
    }
}

/// A log id as the collector accepts it in a path: what `audit init` makes (a UUID) and nothing that needs escaping.
public enum LogID {
    public static func check(_ text: String) throws(SyncError) {
        guard (1...64).contains(text.utf8.count),
            text.utf8.allSatisfy({ $0 == 0x2D || (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) })
        else { throw .malformed("'\(text.prefix(80))' is not a log id (lowercase letters, digits and '-')") }
    }
}

/// How many appends of each log are under way in this process.
final class AppendsInFlight: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var counts: [String: Int] = [:]

    func enter(_ logID: String) { lock.withLock { counts[logID, default: 0] += 1 } }

    func leave(_ logID: String) {
        lock.withLock {
            counts[logID, default: 1] -= 1
            if counts[logID] == 0 { counts[logID] = nil }
        }
    }

    func count(_ logID: String) -> Int { lock.withLock { counts[logID] ?? 0 } }
}
