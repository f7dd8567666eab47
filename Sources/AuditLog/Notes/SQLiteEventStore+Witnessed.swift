import AuditCrypto
import GRDB

/// A cosigned checkpoint and the RFC 6962 consistency proof from it to the checkpoint a report embeds.
public struct WitnessedCheckpoint: Sendable, Hashable {
    public var cosigned: CosignedCheckpoint
    public var consistency: [Digest]

    public init(cosigned: CosignedCheckpoint, consistency: [Digest]) {
        self.cosigned = cosigned
        self.consistency = consistency
    }
}

/// Events proven against the latest witnessed checkpoint that covers them, with what the witnesses saw.
public struct WitnessedEvents: Sendable {
    /// The events, their inclusion proofs against `snapshot.checkpoint`, and the whole chain walked.
    public var snapshot: CheckpointedEvents
    /// The cosignatures on `snapshot.checkpoint`, the earliest of each witness; empty when none covers the events.
    public var cosignatures: [CosignedCheckpoint]
    /// For each event, the smaller checkpoint first cosigned (in time) that holds it, deduplicated, in size order;
    /// cosignatures of the embedded size are in `cosignatures`.
    public var firstWitnessed: [WitnessedCheckpoint]
    /// Stored cosignatures of a tree this log no longer extends: the log was rewritten after a witness saw it.
    public var inconsistent: [CosignedCheckpoint]
}

extension SQLiteEventStore {
    /// Reads the events `filter` selects and proves them against the largest cosigned checkpoint that covers
    /// them all, or the current one when none does, in one transaction.
    ///
    /// Every stored cosignature is first checked against the current tree by a consistency proof, so a
    /// cosignature of a tree this log was rewritten away from is reported, never embedded.
    public func witnessedEvents(_ filter: EventFilter) throws(AuditLogError) -> WitnessedEvents {
        try Self.mapErrors {
            try dbQueue.read { db in
                let (chain, events) = try walkAndSelect(db, filter)
                let stored = try Self.fetchCosigned(db)
                var hashes: [Digest] = []
                _ = try LeafReader(db: db).read(upTo: nil, into: &hashes)
                let current = MerkleTree.Levels(leafHashes: hashes)
                var valid: [CosignedCheckpoint] = []
                var inconsistent: [CosignedCheckpoint] = []
                for cosigned in stored {
                    let size = Int(cosigned.size)
                    var holds = false
                    if size <= current.size {
                        holds = MerkleTree.verifyConsistency(
                            oldSize: size, newSize: current.size, oldRoot: cosigned.root, newRoot: current.root,
                            proof: try current.consistencyProof(from: size))
                    }
                    if holds { valid.append(cosigned) } else { inconsistent.append(cosigned) }
                }
                let lastSeq = events.last?.seq ?? 0
                let size = valid.filter { $0.size >= lastSeq }.map(\.size).max() ?? Int64(current.size)
                let levels = size == current.size ? current : MerkleTree.Levels(leafHashes: Array(hashes[..<Int(size)]))
                hashes = []
                let head =
                    try size == 0
                    ? genesis
                    : Digest(
                        hex: String.fetchOne(db, sql: "SELECT hash FROM events WHERE seq = ?", arguments: [size])
                            ?? "")
                guard let head else { throw AuditLogError.corrupt("hash of seq \(size) is not a SHA-256 hex digest") }
                let checkpoint = Checkpoint(logID: logID, genesis: genesis, size: size, head: head, root: levels.root)
                let proofs = try events.map { try levels.inclusionProof(index: Int($0.seq - 1)) }
                var earliest: [NoteVerifierKey: CosignedCheckpoint] = [:]
                for cosigned in valid where cosigned.size == size {
                    if let seen = earliest[cosigned.witness], seen.cosignedAt <= cosigned.cosignedAt { continue }
                    earliest[cosigned.witness] = cosigned
                }
                let cosignatures = earliest.values.sorted {
                    ($0.cosignedAt, $0.witness.description) < ($1.cosignedAt, $1.witness.description)
                }
                let first = try Self.firstCovering(events.map(\.seq), among: valid.filter { $0.size < size })
                    .map {
                        WitnessedCheckpoint(cosigned: $0, consistency: try levels.consistencyProof(from: Int($0.size)))
                    }
                return WitnessedEvents(
                    snapshot: CheckpointedEvents(checkpoint: checkpoint, chain: chain, events: events, proofs: proofs),
                    cosignatures: cosignatures, firstWitnessed: first, inconsistent: inconsistent)
            }
        }
    }

    /// For each seq, the cosigned checkpoint of the earliest time whose tree holds it; each kept once.
    static func firstCovering(_ seqs: [Int64], among cosigned: [CosignedCheckpoint]) -> [CosignedCheckpoint] {
        let byTime = cosigned.sorted { ($0.cosignedAt, $0.size) < ($1.cosignedAt, $1.size) }
        var kept: [CosignedCheckpoint] = []
        for seq in seqs {
            guard let first = byTime.first(where: { $0.size >= seq }), !kept.contains(first) else { continue }
            kept.append(first)
        }
        return kept.sorted { ($0.size, $0.cosignedAt) < ($1.size, $1.cosignedAt) }
    }
}
