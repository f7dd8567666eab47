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
    /// The checkpoint names a genesis hash that is not this log's.
    case genesisDiffers(checkpointGenesis: Digest, logGenesis: Digest)
    /// Events the checkpoint covers are gone from the end of the log.
    case truncated(checkpointSize: Int64, logSize: Int64)
    /// The consistency proof from the checkpoint's tree to the log's does not verify: something was rewritten.
    case rewritten(checkpointSize: Int64, checkpointRoot: Digest, logSize: Int64, logRoot: Digest)
    /// The roots agree but the checkpoint's head is not the hash of seq `seq` in the log.
    case headDiffers(seq: Int64, checkpointHead: Digest, logHead: Digest)

    public var description: String {
        switch self {
        case .differentLog(let expected, let actual):
            "the checkpoint is of log \(expected), this is log \(actual)"
        case .genesisDiffers(let checkpointGenesis, let logGenesis):
            "the checkpoint's genesis hash is \(checkpointGenesis.hex), this log's is \(logGenesis.hex)"
        case .truncated(let checkpointSize, let logSize):
            "the log was truncated: the checkpoint covers \(checkpointSize) events, the log now has \(logSize)"
        case .rewritten(let checkpointSize, let checkpointRoot, let logSize, let logRoot)
        where checkpointSize == logSize:
            "the log was rewritten: its \(logSize) events have Merkle root \(logRoot.hex), "
                + "the checkpoint says \(checkpointRoot.hex)"
        case .rewritten(let checkpointSize, let checkpointRoot, let logSize, let logRoot):
            "the log was rewritten: no consistency proof leads from the checkpoint's \(checkpointSize) events "
                + "(root \(checkpointRoot.hex)) to the log's \(logSize) (root \(logRoot.hex))"
        case .headDiffers(let seq, let checkpointHead, let logHead):
            "the checkpoint's head \(checkpointHead.hex) is not the hash of seq \(seq), \(logHead.hex)"
        }
    }
}

/// How the log stands to an earlier checkpoint: the log's current checkpoint and the RFC 6962 proof between them.
public struct CheckpointConsistency: Sendable, Hashable {
    /// The log's checkpoint now, read in the same transaction as the proof.
    public var current: Checkpoint
    /// PROOF(old size, D[current size]); empty when the sizes are equal or the log is shorter than the checkpoint.
    public var proof: [Digest]
    /// Why the log does not extend the checkpoint; nil when the proof verifies and the head matches.
    public var mismatch: CheckpointMismatch?

    public init(current: Checkpoint, proof: [Digest], mismatch: CheckpointMismatch?) {
        self.current = current
        self.proof = proof
        self.mismatch = mismatch
    }
}
