import AuditCrypto

/// A commitment to the first `size` events: the chain head and the RFC 6962 Merkle root over their hashes.
///
/// Leaf `i` is the raw 32-byte `hash` of seq `i + 1`, so one root commits to every column of every event.
public struct Checkpoint: Sendable, Hashable {
    public var logID: String
    public var genesis: Digest
    public var size: Int64
    /// The hash of seq `size`; the genesis hash when the log is empty.
    public var head: Digest
    public var root: Digest

    public init(logID: String, genesis: Digest, size: Int64, head: Digest, root: Digest) {
        self.logID = logID
        self.genesis = genesis
        self.size = size
        self.head = head
        self.root = root
    }
}

/// Events read in the same transaction as a checkpoint, each with its inclusion proof against it.
public struct CheckpointedEvents: Sendable, Hashable {
    public var checkpoint: Checkpoint
    /// The whole chain walked in that transaction: a report must not commit to a broken log.
    public var chain: ChainVerification
    public var events: [LoggedEvent]
    /// `proofs[i]` proves `events[i]` at leaf index `seq - 1`, sibling hashes from the leaf up.
    public var proofs: [[Digest]]
}

/// Why the log no longer matches a checkpoint taken earlier.
public enum CheckpointMismatch: Sendable, Hashable, CustomStringConvertible {
    /// The checkpoint was taken on another log.
    case differentLog(expected: String, actual: String)
    /// Events the checkpoint covers are gone from the end of the log.
    case truncated(checkpointSize: Int64, logSize: Int64)
    /// The first `size` events no longer hash to the checkpoint's root (or head): something was rewritten.
    case rewritten(size: Int64, checkpointRoot: Digest, logRoot: Digest)

    public var description: String {
        switch self {
        case .differentLog(let expected, let actual):
            "the checkpoint is of log \(expected), this is log \(actual)"
        case .truncated(let checkpointSize, let logSize):
            "the log was truncated: the checkpoint covers \(checkpointSize) events, the log now has \(logSize)"
        case .rewritten(let size, let checkpointRoot, let logRoot):
            "the log was rewritten: its first \(size) events have Merkle root \(logRoot.hex), "
                + "the checkpoint says \(checkpointRoot.hex)"
        }
    }
}
