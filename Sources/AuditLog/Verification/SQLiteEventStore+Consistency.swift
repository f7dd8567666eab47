import AuditCrypto
import GRDB

extension SQLiteEventStore {
    /// Checks that the log extends `checkpoint`: an RFC 6962 consistency proof from its (size, root) to the log's
    /// current checkpoint, verified as any auditor would, and the hash of seq `size` against its head.
    public func consistency(with checkpoint: Checkpoint) throws(AuditLogError) -> CheckpointConsistency {
        let (current, proofs) = try consistencyProofs(from: [max(0, checkpoint.size)])
        func result(_ mismatch: CheckpointMismatch?, _ proof: [Digest] = []) -> CheckpointConsistency {
            CheckpointConsistency(current: current, proof: proof, mismatch: mismatch)
        }
        guard checkpoint.logID == logID else {
            return result(.differentLog(expected: checkpoint.logID, actual: logID))
        }
        guard checkpoint.genesis == genesis else {
            return result(.genesisDiffers(checkpointGenesis: checkpoint.genesis, logGenesis: genesis))
        }
        let rewritten = CheckpointMismatch.rewritten(
            checkpointSize: checkpoint.size, checkpointRoot: checkpoint.root, logSize: current.size,
            logRoot: current.root)
        // No tree has a negative size: no proof can lead from one.
        guard checkpoint.size >= 0 else { return result(rewritten) }
        guard let found = proofs[checkpoint.size], let proof = found else {
            return result(.truncated(checkpointSize: checkpoint.size, logSize: current.size))
        }
        guard
            MerkleTree.verifyConsistency(
                oldSize: Int(checkpoint.size), newSize: Int(current.size), oldRoot: checkpoint.root,
                newRoot: current.root, proof: proof)
        else { return result(rewritten, proof) }
        // The root commits to every leaf, but the head is a separate claim of the checkpoint: check it too.
        let head = try hash(ofSeq: checkpoint.size)
        guard head == checkpoint.head else {
            return result(.headDiffers(seq: checkpoint.size, checkpointHead: checkpoint.head, logHead: head), proof)
        }
        return result(nil, proof)
    }

    /// Whether the log still extends `checkpoint`; nil when it does. See ``consistency(with:)``.
    public func verify(against checkpoint: Checkpoint) throws(AuditLogError) -> CheckpointMismatch? {
        try consistency(with: checkpoint).mismatch
    }

    /// The stored hash of row `seq`, the genesis hash for seq 0.
    private func hash(ofSeq seq: Int64) throws(AuditLogError) -> Digest {
        if seq == 0 { return genesis }
        return try Self.mapErrors {
            try dbQueue.read { db in
                let text = try String.fetchOne(db, sql: "SELECT hash FROM events WHERE seq = ?", arguments: [seq])
                guard let text, let digest = Digest(hex: text) else {
                    throw AuditLogError.corrupt("hash of seq \(seq) is not a lowercase SHA-256 hex digest")
                }
                return digest
            }
        }
    }
}
