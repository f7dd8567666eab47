import AuditCore
import AuditLog
import Foundation

/// The admission gate as a fold: holds a site's state and advances it by one logged event, so a store can keep
/// it between appends; `admit` is the same check `SiteAdmission.check` runs over a whole history.
public struct SiteGate: SiteGuard {
    /// What admission needs of a site: its fold, and the first event of a type outside the vocabulary.
    public struct State: Sendable {
        public internal(set) var fold: SiteFold
        /// Generic events can only predate registration (the gate refuses them after it).
        public internal(set) var firstForeign: Int64?
        /// Every event of the site folded in, generic ones too: what a rebuild would cost.
        public internal(set) var folded = 0

        public var siteState: SiteState { fold.state }
    }

    /// A site with fewer events refolds in a few milliseconds, less than a snapshot costs to write at every append.
    public let snapshotThreshold: Int

    public init(snapshotThreshold: Int = 4_096) { self.snapshotThreshold = snapshotThreshold }

    /// Bump when the fold or `SiteState` changes meaning: kept snapshots of another format are rebuilt, not read.
    public static let snapshotFormat = "site-gate/1"

    public func initialState(site: String, keepingHistory: Bool) -> State {
        State(fold: SiteFold(site: site, keepsHistory: keepingHistory), firstForeign: nil)
    }

    public func apply(_ event: LoggedEvent, to state: inout State) throws { try Self.apply(event, to: &state) }

    /// A lean state (no history) cannot find the event a correction names, nor survive one arriving.
    public func canAdmit(_ drafts: [EventDraft], with state: State) -> Bool {
        guard !state.fold.sawCorrection else { return false }
        return state.fold.keepsHistory || !drafts.contains { $0.data["corrects"] != nil }
    }

    public func snapshot(of state: State) -> [UInt8]? {
        guard state.folded >= snapshotThreshold, !state.fold.sawCorrection else { return nil }
        let kept = Snapshot(state: state.fold.state, firstForeign: state.firstForeign, folded: state.folded)
        // An encoding failure only means no snapshot: the next append rebuilds from the log, as without one.
        do { return Array(try JSONEncoder().encode(kept)) } catch { return nil }
    }

    public func restore(_ bytes: [UInt8], site: String) -> State? {
        // Bytes that do not decode (a row from another build, a damaged one) are ignored and the site rebuilt.
        let kept: Snapshot
        do { kept = try JSONDecoder().decode(Snapshot.self, from: Data(bytes)) } catch { return nil }
        guard kept.state.site == site else { return nil }
        return State(fold: SiteFold(restoring: kept.state), firstForeign: kept.firstForeign, folded: kept.folded)
    }

    /// What a snapshot row holds (FORMAT.md §2.7): the folded state, without the history only corrections need.
    struct Snapshot: Codable {
        var state: SiteState
        var firstForeign: Int64?
        var folded: Int
    }

    static func apply(_ event: LoggedEvent, to state: inout State) throws(AdmissionError) {
        state.folded += 1
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
