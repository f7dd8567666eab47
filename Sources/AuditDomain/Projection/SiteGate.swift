import AuditCore
import AuditLog
import Foundation

/// The admission gate as a fold: holds what admission reads of a site and advances it by one logged event, so a
/// store can keep it between appends; `admit` is the same check `SiteAdmission.check` runs over a whole history.
public struct SiteGate: SiteGuard {
    /// What admission needs of a site: its facts, and the first event of a type outside the vocabulary.
    ///
    /// Lean (no history), it holds the facts alone; with history, the whole fold, which can find the event a
    /// correction names and refold around it. Lean is what a store keeps: a batch holds one per site it touches.
    public struct State: Sendable {
        /// The facts of a lean state; unused while `fold` is kept.
        var lean: AdmissionState
        /// The whole fold with its history, for a state that can judge a correction; nil when lean.
        var fold: SiteFold?
        /// A correction reached a lean state: its facts are void, and the store rebuilds with history.
        var sawCorrection = false
        /// Generic events can only predate registration (the gate refuses them after it).
        public internal(set) var firstForeign: Int64?
        /// Every event of the site folded in, generic ones too: what a rebuild would cost.
        public internal(set) var folded = 0

        init(site: String, keepingHistory: Bool) {
            lean = AdmissionState(site: site)
            fold = keepingHistory ? SiteFold(site: site) : nil
        }

        init(restoring snapshot: Snapshot) {
            lean = snapshot.state
            firstForeign = snapshot.firstForeign
            folded = snapshot.folded
        }

        /// What admission reads now, however the state is kept: what a kept state is compared by.
        public var facts: AdmissionState { fold.map { AdmissionState($0.state) } ?? lean }

        /// Whether only the facts are kept (no history): what a store holds between appends, which tests pin.
        package var isLean: Bool { fold == nil }

        /// Admits one decoded observation against the facts, by whichever view the state keeps.
        func admit(_ event: DomainEvent, stack: String?) throws(AdmissionError) {
            if let fold { try fold.state.admit(event, stack: stack) } else { try lean.admit(event, stack: stack) }
        }

        var registeredSeq: Int64? { fold?.state.registeredSeq ?? lean.registeredSeq }

        /// Folds in an admitted or logged event; a correction voids a lean state, whose facts cannot refold.
        mutating func apply(
            _ event: DomainEvent, stack: String?, seq: Int64, at: Timestamp, recordedAt: Timestamp?, actor: String?,
            correcting: CorrectionMark?
        ) {
            if fold != nil {
                fold!.apply(
                    event, stack: stack, seq: seq, at: at, recordedAt: recordedAt, actor: actor, correcting: correcting)
            } else if correcting != nil {
                sawCorrection = true
            } else {
                lean.apply(event, seq: seq)
            }
        }
    }

    /// A site with fewer events refolds in a few milliseconds, less than a snapshot costs to write at every append.
    public let snapshotThreshold: Int

    public init(snapshotThreshold: Int = 4_096) { self.snapshotThreshold = snapshotThreshold }

    /// Bump when `AdmissionState` or its `apply` changes meaning: kept snapshots of another format are rebuilt, not
    /// read.
    public static let snapshotFormat = "site-gate/2"

    public func initialState(site: String, keepingHistory: Bool) -> State {
        State(site: site, keepingHistory: keepingHistory)
    }

    public func apply(_ event: LoggedEvent, to state: inout State) throws { try Self.apply(event, to: &state) }

    /// A lean state (no history) cannot find the event a correction names, nor survive one arriving.
    public func canAdmit(_ part: [EventDraft], at placed: ArraySlice<PlacedDraft>, with state: State) -> Bool {
        guard !state.sawCorrection else { return false }
        return state.fold != nil || !placed.contains { part[$0.offset].data["corrects"] != nil }
    }

    public func snapshot(of state: State) -> [UInt8]? {
        guard state.folded >= snapshotThreshold, !state.sawCorrection else { return nil }
        let kept = Snapshot(state: state.facts, firstForeign: state.firstForeign, folded: state.folded)
        // An encoding failure only means no snapshot: the next append rebuilds from the log, as without one.
        do { return Array(try JSONEncoder().encode(kept)) } catch { return nil }
    }

    public func restore(_ bytes: [UInt8], site: String) -> State? {
        // Bytes that do not decode (a row from another build, a damaged one) are ignored and the site rebuilt.
        let kept: Snapshot
        do { kept = try JSONDecoder().decode(Snapshot.self, from: Data(bytes)) } catch { return nil }
        guard kept.state.site == site else { return nil }
        return State(restoring: kept)
    }

    /// What a snapshot row holds (FORMAT.md §2.7): the site's facts, without the history only corrections need.
    struct Snapshot: Codable {
        var state: AdmissionState
        var firstForeign: Int64?
        var folded: Int
    }

    static func apply(_ event: LoggedEvent, to state: inout State) throws(AdmissionError) {
        // Another site's event is no part of this state, as the fold ignores it.
        guard event.site == state.lean.site else { return }
        state.folded += 1
        guard EventType(rawValue: event.type) != nil else {
            state.firstForeign = state.firstForeign ?? event.seq
            return
        }
        guard state.fold == nil else {
            do { try state.fold!.apply(event) } catch { throw AdmissionError.invalid(error) }
            return
        }
        let decoded: (event: DomainEvent, correction: CorrectionMark?)
        do {
            decoded = try DomainEvent.decodeMarked(type: event.type, stack: event.stack, payload: event.payload)
        } catch { throw AdmissionError.invalid(.inEvent(seq: event.seq, error)) }
        if decoded.correction != nil {
            state.sawCorrection = true
        } else {
            state.lean.apply(decoded.event, seq: event.seq)
        }
    }

    public func admit(_ drafts: [EventDraft], site: String, state: State) throws {
        try Self.admit(drafts, site: site, state: state)
    }

    public func admitting(
        _ part: [EventDraft], at placed: ArraySlice<PlacedDraft>, recordedAt: Timestamp, site: String,
        state: inout State
    ) throws {
        try Self.admit(part, placed, site: site, state: &state, recordedAt: recordedAt)
    }

    /// Decodes and admits each draft in order against a copy of `state`, which is left as it was.
    static func admit(_ drafts: [EventDraft], site: String, state: State) throws(AdmissionError) {
        var copy = state
        try admit(drafts, drafts.indices.lazy.map { PlacedDraft(offset: $0, seq: 0) }, site: site, state: &copy)
    }

    /// Decodes and admits the drafts of `part` at `placed`, in order, folding each in so the next draft sees it.
    /// With `recordedAt`, each draft is folded at its placed seq and that time, so the state returned is the one a
    /// fold of the log after the insert would give (SiteGateTests compare the two); without, seqs are 0.
    static func admit(
        _ part: [EventDraft], _ placed: some Collection<PlacedDraft>, site: String, state: inout State,
        recordedAt: Timestamp? = nil
    ) throws(AdmissionError) {
        // The site's first seq in this part: a correction naming it or a later one names a draft, not an event.
        let pendingFrom = recordedAt == nil ? nil : placed.first?.seq
        // By offset into the part, never a copy of a draft: each copy retains its texts.
        for place in placed {
            let index = place.offset
            let seq = place.seq
            state.folded += 1
            let isDomainType = EventType(rawValue: part[index].type) != nil
            guard isDomainType || state.registeredSeq != nil else {
                state.firstForeign = state.firstForeign ?? seq
                continue
            }
            guard isDomainType else { throw .notADomainType(part[index].type, site: site) }
            let decoded: (event: DomainEvent, correction: CorrectionMark?)
            do { decoded = try DomainEvent.decodeMarked(type: part[index].type, data: part[index].data) } catch {
                throw .invalid(error)
            }
            let event = decoded.event
            if case .siteRegistered = event, let firstForeign = state.firstForeign {
                throw .foreignEvents(site: site, seq: firstForeign)
            }
            if let mark = decoded.correction {
                // A correction names an event the state already holds, never a draft of this part.
                if let pendingFrom, mark.corrects >= pendingFrom {
                    throw .invalid(.correctionTargetMissing(seq: mark.corrects, site: site))
                }
                // A lean state holds no history to find the target in; `canAdmit` sends such a part to a full one.
                guard let fold = state.fold else {
                    guard state.registeredSeq != nil else { throw .unknownSite(site) }
                    throw .invalid(.correctionTargetMissing(seq: mark.corrects, site: site))
                }
                try fold.admitCorrection(event, stack: part[index].stack, mark: mark)
            } else {
                try state.admit(event, stack: part[index].stack)
            }
            state.apply(
                event, stack: part[index].stack, seq: seq,
                at: part[index].observedAt ?? recordedAt ?? Timestamp(millisecondsSinceEpoch: 0),
                recordedAt: recordedAt,
                actor: recordedAt == nil ? nil : part[index].actor, correcting: decoded.correction)
        }
    }
}
