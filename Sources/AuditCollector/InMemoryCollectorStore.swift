import AuditCrypto
import AuditLog
import AuditSyncProtocol
import Foundation

/// The collector's store in memory: the same checks as PostgreSQL's, for fast tests of the ingest logic.
public final class InMemoryCollectorStore: CollectorStore, @unchecked Sendable {
    struct Log {
        var state: LogState
        var events: [LoggedEvent] = []
        var checkpoints: [Int64: (root: Digest, note: String, cosignature: String)] = [:]
        var evidence: [(seq: Int64, held: String, offered: String)] = []
        var sites: [String: FleetSite] = [:]
    }

    struct Contents {
        var installers: [String: InstallerRecord] = [:]
        var nonces: [String: Int64] = [:]
        var logs: [String: Log] = [:]
    }

    // Guarded by `lock`; `@unchecked` because NSLock is the only portable lock before macOS 15's Mutex.
    private let lock = NSLock()
    private var state = Contents()

    public init() {}

    /// Runs `body` on the contents under the lock; what it changed before throwing stays changed (fork evidence).
    private func withContents<T>(_ body: (inout Contents) throws(SyncError) -> T) throws(SyncError) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&state)
    }

    public func enroll(name: String, publicKey: Ed25519PublicKey) async throws(SyncError) {
        try withContents { (contents) throws(SyncError) in
            guard contents.installers[name] == nil else { throw .conflict("installer '\(name)' is already enrolled") }
            guard !contents.installers.values.contains(where: { $0.publicKey == publicKey }) else {
                throw .conflict("this key is already enrolled")
            }
            contents.installers[name] = InstallerRecord(name: name, publicKey: publicKey, revoked: false)
        }
    }

    public func revoke(name: String) async throws(SyncError) {
        try withContents { (contents) throws(SyncError) in
            guard contents.installers[name] != nil else { throw .unknownLog("installer \(name)") }
            contents.installers[name]?.revoked = true
        }
    }

    public func installer(named name: String) async throws(SyncError) -> InstallerRecord? {
        try withContents { $0.installers[name] }
    }

    public func useNonce(installer: String, nonce: String, now: Int64) async throws(SyncError) -> Bool {
        try withContents { contents in
            contents.nonces = contents.nonces.filter { now - $0.value <= 2 * RequestSignature.window }
            let key = installer + "\n" + nonce
            guard contents.nonces[key] == nil else { return false }
            contents.nonces[key] = now
            return true
        }
    }

    public func state(logID: String) async throws(SyncError) -> LogState? {
        try withContents { $0.logs[logID]?.state }
    }

    public func append(logID: String, installer: String, chunk: [LoggedEvent]) async throws(SyncError)
        -> AppendOutcome
    {
        try withContents { (contents) throws(SyncError) -> AppendOutcome in
            let held = contents.logs[logID]
            if let held, held.state.installer != installer {
                throw .forbidden("log \(logID) is synced by installer '\(held.state.installer)'")
            }
            var hashes: [Int64: Digest] = [:]
            if let held, let range = Ingest.overlap(chunk, heldSize: held.state.size) {
                for seq in range { hashes[seq] = held.events[Int(seq - 1)].hash }
            }
            switch try Ingest.plan(logID: logID, held: held?.state, chunk: chunk, heldHashes: hashes) {
            case .fork(let rows):
                contents.logs[logID]?.state.forked = true
                contents.logs[logID]?.evidence += rows.map { ($0.offered.seq, $0.heldHash.hex, $0.offered.hash.hex) }
                for site in contents.logs[logID]?.sites.keys.map({ $0 }) ?? [] {
                    contents.logs[logID]?.sites[site]?.forked = true
                }
                throw .fork(seq: rows[0].offered.seq)
            case .append(let new):
                var log =
                    held
                    ?? Log(
                        state: LogState(
                            logID: logID, installer: installer, size: 0, head: ChainHash.genesis(logID: logID),
                            witnessedSize: 0, forked: false))
                log.events += new
                log.state.size = Int64(log.events.count)
                log.state.head = log.events.last?.hash ?? log.state.head
                for site in Set(new.map(\.site)) {
                    var row = FleetSite.project(
                        logID: logID, installer: installer, site: site, events: log.events.filter { $0.site == site })
                    row.witnessed = row.lastSeq <= log.state.witnessedSize
                    row.forked = log.state.forked
                    log.sites[site] = row
                }
                contents.logs[logID] = log
                return AppendOutcome(appended: new.count, size: log.state.size)
            }
        }
    }

    /// Kept only by the PostgreSQL store: in memory every leaf is at hand.
    public func compactRange(logID: String) async throws(SyncError) -> MerkleTree.CompactRange? { nil }

    public func leafHashes(logID: String, size: Int64) async throws(SyncError) -> [Digest] {
        let hasher = SHA256Hasher()
        return try withContents { contents in
            (contents.logs[logID]?.events.prefix(Int(size)) ?? []).map {
                MerkleTree.leafHash(of: $0.hash, using: hasher)
            }
        }
    }

    public func recordCheckpoint(
        logID: String, size: Int64, root: Digest, note: String, cosignature: String
    ) async throws(SyncError) -> String {
        try withContents { (contents) throws(SyncError) -> String in
            guard var log = contents.logs[logID] else { throw .unknownLog(logID) }
            if let stored = log.checkpoints[size], stored.root == root { return stored.cosignature }
            guard size >= log.state.witnessedSize else {
                throw .conflict("the collector already accepted a checkpoint of size \(log.state.witnessedSize)")
            }
            log.checkpoints[size] = (root, note, cosignature)
            log.state.witnessedSize = size
            for (site, row) in log.sites { log.sites[site]?.witnessed = row.lastSeq <= size }
            contents.logs[logID] = log
            return cosignature
        }
    }

    public func latestCheckpoint(logID: String) async throws(SyncError) -> StoredCheckpoint? {
        try withContents { contents in
            guard let log = contents.logs[logID], let size = log.checkpoints.keys.max(),
                let stored = log.checkpoints[size]
            else { return nil }
            let head = size == 0 ? ChainHash.genesis(logID: logID) : log.events[Int(size) - 1].hash
            return StoredCheckpoint(size: size, root: stored.root, head: head, note: stored.note)
        }
    }

    public func logs() async throws(SyncError) -> [LogSummary] {
        try withContents { contents in
            contents.logs.values.sorted { $0.state.logID < $1.state.logID }.map { log in
                let latest = log.checkpoints.keys.max()
                return LogSummary(
                    state: log.state, checkpointNote: latest.flatMap { log.checkpoints[$0]?.note },
                    checkpointSize: latest, sites: log.sites.count)
            }
        }
    }

    public func sites(_ query: SiteQuery) async throws(SyncError) -> [FleetSite] {
        try withContents { contents in
            let all = contents.logs.values.flatMap(\.sites.values).filter(query.admits)
                .sorted { ($0.site, $0.logID) < ($1.site, $1.logID) }
            return Array(all.dropFirst(query.offset).prefix(query.limit))
        }
    }

    public func events(logID: String, site: String) async throws(SyncError) -> [LoggedEvent] {
        try withContents { $0.logs[logID]?.events.filter { $0.site == site } ?? [] }
    }

    public func forkEvidence(logID: String) async throws(SyncError) -> [(seq: Int64, held: String, offered: String)] {
        try withContents { $0.logs[logID]?.evidence ?? [] }
    }
}
