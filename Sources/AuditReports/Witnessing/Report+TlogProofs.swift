import AuditLog

extension Report {
    /// The folder inside a report holding one c2sp.org/tlog-proof file per embedded event.
    public static let proofsFolder = "proofs"

    /// Each embedded event's inclusion in the embedded (cosigned) checkpoint as a tlog-proof, so any tlog-proof
    /// verifier can check it; the extra data is the entry itself, the event's chain hash.
    public var tlogProofs: [(file: String, text: String)] {
        events.map { proven in
            (
                "\(Self.proofsFolder)/\(proven.event.seq).\(TlogProof.fileExtension)",
                TlogProof(
                    extra: proven.event.hash.rawBytes, index: Int64(proven.leafIndex), hashes: proven.proof,
                    checkpoint: witnessing.note
                ).text
            )
        }
    }
}
