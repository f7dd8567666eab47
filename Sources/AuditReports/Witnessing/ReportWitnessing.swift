import AuditCrypto
import AuditLog

/// Whether a witness cosigned the checkpoint a report embeds.
public enum WitnessStatus: String, Sendable, Hashable {
    case witnessed
    /// No witness cosigned a checkpoint covering the site: the installer's key is the only signature.
    case notWitnessed = "not-witnessed"
}

/// What the witnesses saw of the log, as a report embeds it; the verifier checks every signature and proof here.
public struct ReportWitnessing: Sendable, Hashable {
    /// The embedded checkpoint as a signed note: the log's signature under its origin, then one cosignature per
    /// witness in `witnesses`, in that order.
    public var note: SignedNote
    /// The witnesses (cosignature/v1 keys) whose cosignature the note carries.
    public var witnesses: [NoteVerifierKey]
    /// Earlier cosigned checkpoints, each the first in time to hold some of the site's events, with the
    /// consistency proof from each to the embedded checkpoint.
    public var history: [WitnessedCheckpoint]

    public init(note: SignedNote, witnesses: [NoteVerifierKey] = [], history: [WitnessedCheckpoint] = []) {
        self.note = note
        self.witnesses = witnesses
        self.history = history
    }

    public var status: WitnessStatus { witnesses.isEmpty ? .notWitnessed : .witnessed }

    /// Each witness's cosignature time, read from its line of the note (the verifier checks the signature).
    public var cosignatures: [ReportCosignature] {
        witnesses.map { key in
            let line = note.signatures.first { $0.name == key.name && $0.keyID == key.keyID }
            return ReportCosignature(witness: key, cosignedAt: line.flatMap(Cosignature.init)?.timestamp ?? 0)
        }
    }

    /// When a witness first cosigned a checkpoint holding `seq`, or nil when none has.
    public func firstWitnessed(seq: Int64, checkpointSize: Int64) -> Timestamp? {
        var times = history.filter { $0.cosigned.size >= seq }.map(\.cosigned.cosignedAt)
        if seq <= checkpointSize { times += cosignatures.map(\.cosignedAt) }
        return times.min().map { Timestamp(millisecondsSinceEpoch: Int64(clamping: $0) * 1000) }
    }
}

/// One cosignature on a report's checkpoint.
public struct ReportCosignature: Sendable, Hashable {
    public var witness: NoteVerifierKey
    /// Seconds since the Unix epoch, as the cosignature/v1 line carries it.
    public var cosignedAt: UInt64

    public var time: Timestamp { Timestamp(millisecondsSinceEpoch: Int64(clamping: cosignedAt) * 1000) }
}

extension ReportWitnessing {
    /// The note a report embeds: the checkpoint signed under the log's origin, then each witness's own line.
    public static func embedding(
        _ checkpoint: Checkpoint, signer: NoteSigner, cosignatures: [CosignedCheckpoint],
        history: [WitnessedCheckpoint]
    ) -> ReportWitnessing {
        var note = SignedNote(
            text: TlogCheckpoint(
                origin: TlogCheckpoint.origin(logID: checkpoint.logID), size: checkpoint.size, root: checkpoint.root
            ).text)
        note.sign(with: signer)
        var witnesses: [NoteVerifierKey] = []
        for cosigned in cosignatures {
            let key = cosigned.witness
            guard cosigned.size == checkpoint.size, cosigned.root == checkpoint.root, !witnesses.contains(key),
                let line = cosigned.note.signatures.first(where: { $0.name == key.name && $0.keyID == key.keyID })
            else { continue }
            note.signatures.append(line)
            witnesses.append(key)
        }
        return ReportWitnessing(note: note, witnesses: witnesses, history: history)
    }
}
