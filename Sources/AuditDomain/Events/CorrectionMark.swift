/// What makes an observation a correction: the seq of the event it supersedes and why. The mistaken event stays
/// in the log; the projection and the rules use the correction's value in its place (FORMAT.md, docs/DOMAIN.md).
public struct CorrectionMark: Sendable, Hashable {
    public var corrects: Int64
    public var reason: String

    public init(corrects: Int64, reason: String) {
        self.corrects = corrects
        self.reason = reason
    }

    /// Nil for an ordinary observation; a payload with `corrects` must give a positive seq and a reason.
    init?(reading payload: PayloadReader) throws(DomainError) {
        // `reason` alone is an ordinary field of some payloads (procedure.aborted, firmware.push_failed).
        guard payload.has("corrects") else { return nil }
        guard payload.type.isCorrectable else {
            throw payload.fail("corrects", "is not allowed on \(payload.type): only observations can be corrected")
        }
        let seq = try payload.integer("corrects")
        guard seq >= 1 else { throw payload.fail("corrects", "must be the seq of an earlier event, not \(seq)") }
        let reason = try payload.string("reason")
        guard !reason.allSatisfy(\.isWhitespace) else { throw payload.fail("reason", "must say why") }
        self.init(corrects: Int64(seq), reason: reason)
    }
}

extension EventType {
    /// Observations a person makes and can get wrong; what the transport writes (pushes) and the run's own
    /// bookkeeping (steps, start, end) are not corrected, they are recorded again.
    public var isCorrectable: Bool {
        switch self {
        case .firmwareVersionObserved, .powerObserved, .cableObserved, .dipObserved, .lcdObserved, .noteAdded,
            .photoAttached:
            true
        default: false
        }
    }
}
