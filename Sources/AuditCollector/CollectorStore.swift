import AuditCrypto
import AuditLog
import AuditSyncProtocol

/// An enrolled installer: the key its requests and checkpoints must be signed with.
public struct InstallerRecord: Sendable, Hashable {
    public var name: String
    public var publicKey: Ed25519PublicKey
    public var revoked: Bool

    public init(name: String, publicKey: Ed25519PublicKey, revoked: Bool) {
        self.name = name
        self.publicKey = publicKey
        self.revoked = revoked
    }
}

/// A log as `GET /v1/logs` lists it.
public struct LogSummary: Sendable, Hashable {
    public var state: LogState
    /// The latest accepted checkpoint's note, with the collector's cosignature, or nil before the first one.
    public var checkpointNote: String?
    public var checkpointSize: Int64?
    public var sites: Int

    public init(state: LogState, checkpointNote: String?, checkpointSize: Int64?, sites: Int) {
        self.state = state
        self.checkpointNote = checkpointNote
        self.checkpointSize = checkpointSize
        self.sites = sites
    }

    public var json: JSONValue {
        [
            "log_id": .string(state.logID), "installer": .string(state.installer), "size": .integer(state.size),
            "head": .string(state.head.hex), "witnessed_size": .integer(state.witnessedSize),
            "fork_detected": .bool(state.forked), "sites": .integer(Int64(sites)),
            "checkpoint": checkpointNote.map { note in
                ["size": .integer(checkpointSize ?? 0), "note": .string(note)] as JSONValue
            } ?? .null,
        ]
    }
}

/// The last checkpoint the collector accepted from a log, as stored.
public struct StoredCheckpoint: Sendable, Hashable {
    public var size: Int64
    public var root: Digest
    /// The hash of event `size`: the checkpoint's chain head.
    public var head: Digest
    /// The checkpoint note: the log's signature, then the collector's cosignature.
    public var note: String
}

/// What an accepted chunk changed.
public struct AppendOutcome: Sendable, Hashable {
    /// Events stored by this chunk (0 for a re-send of held events).
    public var appended: Int
    /// The collector's size for the log afterwards.
    public var size: Int64

    public init(appended: Int, size: Int64) {
        self.appended = appended
        self.size = size
    }
}

/// Where the collector keeps installers, logs, events, checkpoints and the fleet view.
///
/// `append` runs `Ingest.plan` and stores its outcome, events and site projections alike, in one transaction
/// that holds the log's row: two syncs of one log cannot interleave, and an acknowledged chunk is durable.
public protocol CollectorStore: Sendable {
    /// Registers an installer's key; refuses a name or a key already enrolled (409).
    func enroll(name: String, publicKey: Ed25519PublicKey) async throws(SyncError)
    /// Stops the installer's key for new syncs; what it sent is kept. Unknown names are 404.
    func revoke(name: String) async throws(SyncError)
    func installer(named name: String) async throws(SyncError) -> InstallerRecord?
    /// Records the nonce; false when it was already used within the window (a replay). Older nonces are forgotten.
    func useNonce(installer: String, nonce: String, now: Int64) async throws(SyncError) -> Bool
    func state(logID: String) async throws(SyncError) -> LogState?
    /// Checks and stores one chunk (see the protocol's note); a fork stores the evidence and throws `.fork`.
    func append(logID: String, installer: String, chunk: [LoggedEvent]) async throws(SyncError) -> AppendOutcome
    /// The Merkle compact range of every held event of the log, or nil when the store does not keep it (then a
    /// checkpoint is checked against `leafHashes`).
    func compactRange(logID: String) async throws(SyncError) -> MerkleTree.CompactRange?
    /// The log's state and the leaf hashes of its events 1...size, for checking a checkpoint.
    func leafHashes(logID: String, size: Int64) async throws(SyncError) -> [Digest]
    /// Stores an accepted checkpoint and its cosignature; a re-sent checkpoint of a stored size returns the stored
    /// cosignature line. Refuses a size below the last accepted one (409).
    func recordCheckpoint(
        logID: String, size: Int64, root: Digest, note: String, cosignature: String
    ) async throws(SyncError) -> String
    /// The accepted checkpoint of the largest size, or nil before the first one.
    func latestCheckpoint(logID: String) async throws(SyncError) -> StoredCheckpoint?
    func logs() async throws(SyncError) -> [LogSummary]
    func sites(_ query: SiteQuery) async throws(SyncError) -> [FleetSite]
    /// One site's events in one log, in seq order.
    func events(logID: String, site: String) async throws(SyncError) -> [LoggedEvent]
    /// The fork evidence rows kept for a log: (seq, held hash, offered hash).
    func forkEvidence(logID: String) async throws(SyncError) -> [(seq: Int64, held: String, offered: String)]
}
