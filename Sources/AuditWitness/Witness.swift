import AuditCore
import AuditCrypto
import AuditLog
import Foundation

/// A transparency witness (c2sp.org/tlog-witness): verifies that each checkpoint extends the last one it
/// cosigned for that origin, then cosigns it (c2sp.org/tlog-cosignature, `cosignature/v1`).
public struct Witness: Sendable {
    public let signer: NoteSigner
    public let state: any WitnessStateStore
    /// Seconds since the Unix epoch; injected so tests can fix the cosignature's timestamp.
    public let now: @Sendable () -> UInt64

    /// `signer` must be a `cosignatureV1` signer: its verifier key is what logs and auditors configure.
    public init(
        signer: NoteSigner, state: any WitnessStateStore,
        now: @escaping @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970) }
    ) throws(WitnessError) {
        guard signer.verifierKey.type == .cosignatureV1 else {
            throw .malformed("a witness signs with a cosignature/v1 key (type 04)")
        }
        self.signer = signer
        self.state = state
        self.now = now
    }

    /// The default key name of a witness whose Ed25519 key has `keyID`.
    public static func defaultName(keyID: String) -> String { "audit-witness/\(keyID)" }

    /// Answers one add-checkpoint body: the cosignature lines to return with 200, or the refusal.
    ///
    /// The new tree and the note with its cosignature are stored before this returns, in the same transaction
    /// that read the previous tree: a refusal changes nothing.
    public func addCheckpoint(body: [UInt8]) throws(WitnessError) -> String {
        let request = try WitnessProtocol.AddCheckpoint(parsing: body)
        let checkpoint: TlogCheckpoint
        do { checkpoint = try TlogCheckpoint(parsing: request.note.text) } catch { throw .malformed(error.message) }
        let cosignature = try state.advance(origin: checkpoint.origin) {
            (log, tree) throws(WitnessError) -> (WitnessedTree, NoteSignature) in
            do { _ = try request.note.verify([log.key]) } catch { throw .badLogSignature(oneLineMessage(error)) }
            guard request.oldSize <= checkpoint.size else {
                throw .malformed("old size \(request.oldSize) is above the checkpoint's size \(checkpoint.size)")
            }
            guard request.oldSize == tree.size else { throw .sizeMismatch(current: tree.size) }
            guard
                MerkleTree.verifyConsistency(
                    oldSize: Int(tree.size), newSize: Int(checkpoint.size), oldRoot: tree.root,
                    newRoot: checkpoint.root, proof: request.proof)
            else {
                // Same size, other root: a fork the witness must never cosign; it reports its size, as for 409.
                if tree.size == checkpoint.size { throw .sizeMismatch(current: tree.size) }
                throw .proofDoesNotVerify
            }
            let line = Cosignature.sign(checkpointText: request.note.text, timestamp: now(), with: signer)
            // Serve the log's own signatures and ours; cosignatures of other witnesses are theirs to vouch for.
            let logSignatures = request.note.signatures.filter { $0.name == log.key.name && $0.keyID == log.key.keyID }
            let served = SignedNote(text: request.note.text, signatures: logSignatures + [line])
            return (WitnessedTree(size: checkpoint.size, root: checkpoint.root, note: served.serialized), line)
        }
        return cosignature.line + "\n"
    }

    /// The latest cosigned checkpoint whose origin hashes to `originHash` (lowercase hex SHA-256), or nil.
    public func latestCheckpoint(originHash: String) throws(WitnessError) -> String? {
        for log in try state.trustedLogs() where SHA256.hash(Array(log.origin.utf8)).hex == originHash {
            return try state.tree(origin: log.origin)?.note
        }
        return nil
    }
}
