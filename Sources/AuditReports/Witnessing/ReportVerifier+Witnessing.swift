import AuditCrypto
import AuditLog

/// The auditor's trust in witnesses: which cosignature/v1 keys count, and how many must have cosigned.
public struct WitnessPolicy: Sendable, Hashable {
    public var witnesses: [NoteVerifierKey]
    public var quorum: Int

    /// Refuses a key that is not a witness key and a quorum outside 1...witnesses.count.
    public init(witnesses: [NoteVerifierKey], quorum: Int? = nil) throws(ReportError) {
        if let key = witnesses.first(where: { $0.type != .cosignatureV1 }) {
            throw .note(.malformedKey("'\(key.name)' is not a witness key (type 04, cosignature/v1)"))
        }
        let quorum = quorum ?? witnesses.count
        guard quorum >= 1, quorum <= witnesses.count else {
            throw .malformed("the quorum \(quorum) must be between 1 and the \(witnesses.count) witness keys given")
        }
        self.witnesses = witnesses
        self.quorum = quorum
    }
}

extension ReportVerifier {
    /// The checkpoint note says the checkpoint, is signed by the report's key under the log's origin, and each
    /// listed witness's line verifies; each history entry is such a note and is consistent with the checkpoint.
    static func checkWitnessing(_ inputs: ReportInputs, publicKey: Ed25519PublicKey) throws(ReportError) {
        let checkpoint = inputs.checkpoint
        let witnessing = inputs.witnessing
        let origin = TlogCheckpoint.origin(logID: checkpoint.logID)
        let logKey: NoteVerifierKey
        do { logKey = try NoteVerifierKey(name: origin, publicKey: publicKey) } catch { throw .note(error) }
        let expected = TlogCheckpoint(origin: origin, size: checkpoint.size, root: checkpoint.root).text
        let note = witnessing.note
        guard note.text == expected else {
            throw .rejected("the checkpoint note does not state this report's checkpoint (origin, size and root)")
        }
        guard let first = note.signatures.first, first.name == logKey.name, first.keyID == logKey.keyID,
            publicKey.verify(signature: first.bytes, message: Array(note.text.utf8))
        else { throw .rejected("the checkpoint note's first signature is not the log's, by this report's key") }
        guard note.signatures.count == witnessing.witnesses.count + 1 else {
            throw .rejected("the checkpoint note carries signatures that are not the listed witnesses' cosignatures")
        }
        for (key, line) in zip(witnessing.witnesses, note.signatures.dropFirst()) {
            guard key.type == .cosignatureV1, Cosignature.verify(line, text: note.text, key: key) != nil else {
                throw .rejected("the cosignature of witness \(key.name) on the checkpoint does not verify")
            }
        }
        for entry in witnessing.history {
            let cosigned = entry.cosigned
            let name = cosigned.witness.name
            func reject(_ reason: String) -> ReportError {
                .rejected("witness \(name)'s checkpoint of size \(cosigned.size): \(reason)")
            }
            guard cosigned.size >= 1, cosigned.size <= checkpoint.size else {
                throw reject("lies outside the report's \(checkpoint.size) events")
            }
            let text = TlogCheckpoint(origin: origin, size: cosigned.size, root: cosigned.root).text
            guard cosigned.note.text == text else { throw reject("its note does not state that size and root") }
            guard
                cosigned.note.signatures.contains(where: { line in
                    line.name == logKey.name && line.keyID == logKey.keyID
                        && publicKey.verify(signature: line.bytes, message: Array(text.utf8))
                })
            else { throw reject("it is not signed by this report's key under the log's origin") }
            guard cosigned.witness.type == .cosignatureV1,
                cosigned.note.signatures.contains(where: { line in
                    Cosignature.verify(line, text: text, key: cosigned.witness)?.timestamp == cosigned.cosignedAt
                })
            else { throw reject("its cosignature at \(cosigned.cosignedAt) does not verify") }
            guard
                MerkleTree.verifyConsistency(
                    oldSize: Int(cosigned.size), newSize: Int(checkpoint.size), oldRoot: cosigned.root,
                    newRoot: checkpoint.root, proof: entry.consistency)
            else { throw reject("the report's checkpoint is not consistent with it: the log was rewritten since") }
        }
    }

    /// At least `policy.quorum` of the policy's witnesses cosigned the report's checkpoint (already verified).
    public static func check(_ report: Report, against policy: WitnessPolicy) throws(ReportError) {
        let cosigned = policy.witnesses.filter(report.witnessing.witnesses.contains)
        guard cosigned.count >= policy.quorum else {
            let missing = policy.witnesses.filter { !cosigned.contains($0) }.map(\.name).joined(separator: ", ")
            if report.witnessing.status == .notWitnessed {
                throw .rejected(
                    "the report is NOT WITNESSED: no witness cosigned its checkpoint, the policy needs \(policy.quorum)"
                )
            }
            throw .rejected(
                "witness policy not met: \(cosigned.count) of the \(policy.quorum) cosignatures needed (missing: \(missing))"
            )
        }
    }
}
