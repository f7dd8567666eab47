import AuditCrypto

/// An admission check whose view of a site is a state folded one event at a time, so a store can keep that state
/// between appends (checked against the site's head) instead of re-reading the site's history for every event.
///
/// A state may be lean (without the history some drafts need, e.g. a correction naming an earlier event): the
/// store asks `canAdmit` first and rebuilds with history when it says no.
public protocol SiteGuard: Sendable {
    associatedtype State: Sendable

    /// Names the encoding of `snapshot(of:)`; a kept snapshot of another format is never read.
    static var snapshotFormat: String { get }

    /// The state of a site that holds no event yet; `keepingHistory` for a state that can judge every draft.
    func initialState(site: String, keepingHistory: Bool) -> State

    /// Folds one logged event of the site into its state.
    func apply(_ event: LoggedEvent, to state: inout State) throws

    /// Whether `state` can judge the drafts of `part` at `placed`; false sends the store back to the whole history.
    func canAdmit(_ part: [EventDraft], at placed: ArraySlice<PlacedDraft>, with state: State) -> Bool

    /// Admits, in order, the drafts new to the log for one site against the site's state; throws to refuse.
    func admit(_ drafts: [EventDraft], site: String, state: State) throws

    /// Admits like `admit` the drafts of `part` at `placed`, in order, and folds them into `state` as the store
    /// will log them: each at its placed seq, recorded at `recordedAt`. The store keeps that state, so it never
    /// decodes a draft twice. In place, so a site's state is not copied once per part; after a throw, `state` is
    /// void, and the batch that holds it takes no more parts and rolls back.
    func admitting(
        _ part: [EventDraft], at placed: ArraySlice<PlacedDraft>, recordedAt: Timestamp, site: String,
        state: inout State
    ) throws

    /// The state as bytes for the store to keep across processes, or nil when it is not worth keeping.
    func snapshot(of state: State) -> [UInt8]?

    /// A kept snapshot back as a lean state; nil when the bytes do not decode, and the store rebuilds.
    func restore(_ bytes: [UInt8], site: String) -> State?
}

extension SiteGuard {
    /// The state rebuilt from the site's whole history: what a kept state must always equal.
    public func fold(site: String, _ events: [LoggedEvent], keepingHistory: Bool = true) throws -> State {
        var state = initialState(site: site, keepingHistory: keepingHistory)
        for event in events { try apply(event, to: &state) }
        return state
    }

    /// The same check as a plain append guard, re-reading the history: for stores that keep no state.
    public var appendGuard: AppendGuard {
        { site, logged, new in try admit(new, site: site, state: try fold(site: site, logged)) }
    }
}

/// One draft of a part by its offset there, with the seq the store will log it at: a site's drafts are handed
/// to its guard as these, not as copies (each copy of a draft retains every one of its texts).
public struct PlacedDraft: Sendable, Hashable {
    public var offset: Int
    public var seq: Int64

    public init(offset: Int, seq: Int64) {
        self.offset = offset
        self.seq = seq
    }
}

/// A site's folded state as of one event of the site, named by seq and hash so a stale copy is noticed.
struct CachedSiteState: Sendable {
    /// The last event of the site folded in; nil for an empty site.
    var seq: Int64?
    var hash: Digest?
    /// Holds a `SiteGuard.State`; checked by cast on use, so another guard's state is rebuilt, never misread.
    var state: any Sendable
}

/// The cache key: one state per site and per guard type.
struct SiteStateKey: Hashable {
    var site: String
    var guardType: ObjectIdentifier
}
