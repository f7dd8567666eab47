import AuditCore

/// Why a signed note, a key string or a checkpoint is refused; one line each, never key material.
public enum NoteError: AuditFailure, Equatable, CustomStringConvertible {
    /// The bytes are not a signed note as c2sp.org/signed-note defines it.
    case malformedNote(String)
    /// A verifier or signer key string does not parse.
    case malformedKey(String)
    /// A checkpoint body is not origin, size and root hash lines (c2sp.org/tlog-checkpoint).
    case malformedCheckpoint(String)
    /// A signature from a known key does not verify.
    case badSignature(keyName: String)
    /// No signature from any of the given keys is on the note.
    case noKnownSignature

    public var exitStatus: SysExit {
        switch self {
        case .malformedNote, .malformedKey, .malformedCheckpoint: .invalidInput
        case .badSignature, .noKnownSignature: .no
        }
    }

    public var description: String {
        switch self {
        case .malformedNote(let reason): "not a signed note: \(reason)"
        case .malformedKey(let reason): "not a note key: \(reason)"
        case .malformedCheckpoint(let reason): "not a checkpoint: \(reason)"
        case .badSignature(let name): "the signature of \(name) does not verify"
        case .noKnownSignature: "the note carries no signature from a known key"
        }
    }
}
