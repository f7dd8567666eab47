import AuditCore
import AuditLog

/// The admission gate as a fold: holds a site's state and advances it by one logged event, so a store can keep
/// it between appends; `admit` is the same check `SiteAdmission.check` runs over a whole history.
public struct SiteGate: SiteGuard {
    /// What admission needs of a site: its fold, and the first event of a type outside the vocabulary.
    public struct State: Sendable {
        public internal(set) var fold: SiteFold
        /// Generic events can only predate registration (the gate refuses them after it).
        public internal(set) var firstForeign: Int64?

        public var siteState: SiteState { fold.state }
    }

    public init() {}

    public func initialState(site: String) -> State { State(fold: SiteFold(site: site), firstForeign: nil) }

    public func apply(_ event: LoggedEvent, to state: inout State) throws { try Self.apply(event, to: &state) }

    static func apply(_ event: LoggedEvent, to state: inout State) throws(AdmissionError) {
        guard EventType(rawValue: event.type) != nil else {
            state.firstForeign = state.firstForeign ?? event.seq
            return
        }
        do { try state.fold.apply(event) } catch { throw AdmissionError.invalid(error) }
    }

    public func admit(_ drafts: [EventDraft], site: String, state: State) throws {
        try Self.admit(drafts, site: site, state: state)
    }

    /// Decodes and admits each draft in order, folding it in so the next draft sees it.
    static func admit(_ drafts: [EventDraft], site: String, state: State) throws(AdmissionError) {
        var fold = state.fold
        var firstForeign = state.firstForeign
        for draft in drafts {
            let isDomainType = EventType(rawValue: draft.type) != nil
            guard isDomainType || fold.state.registeredSeq != nil else {
                firstForeign = firstForeign ?? 0
                continue
            }
            guard isDomainType else { throw .notADomainType(draft.type, site: site) }
            let decoded: (event: DomainEvent, correction: CorrectionMark?)
            do { decoded = try DomainEvent.decodeMarked(type: draft.type, data: draft.data) } catch {
                throw .invalid(error)
            }
            let event = decoded.event
            if case .siteRegistered = event, let firstForeign { throw .foreignEvents(site: site, seq: firstForeign) }
            if let mark = decoded.correction {
                try fold.admitCorrection(event, stack: draft.stack, mark: mark)
            } else {
                try fold.state.admit(event, stack: draft.stack)
            }
            fold.apply(
                event, stack: draft.stack, seq: 0, at: draft.observedAt ?? Timestamp(millisecondsSinceEpoch: 0),
                correcting: decoded.correction)
        }
    }
}
