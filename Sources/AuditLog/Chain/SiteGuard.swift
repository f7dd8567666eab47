import AuditCrypto

/// An admission check whose view of a site is a state folded one event at a time, so a store can keep that state
/// between appends (checked against the site's head) instead of re-reading the site's history for every event.
public protocol SiteGuard: Sendable {
    associatedtype State: Sendable

    /// The state of a site that holds no event yet.
    func initialState(site: String) -> State

    /// Folds one logged event of the site into its state.
    func apply(_ event: LoggedEvent, to state: inout State) throws

    /// Admits, in order, the drafts new to the log for one site against the site's state; throws to refuse.
    func admit(_ drafts: [EventDraft], site: String, state: State) throws
}

extension SiteGuard {
    /// The state rebuilt from the site's whole history: what a cached state must always equal.
    public func fold(site: String, _ events: [LoggedEvent]) throws -> State {
        var state = initialState(site: site)
        for event in events { try apply(event, to: &state) }
        return state
    }

    /// The same check as a plain append guard, re-reading the history: for stores that keep no state.
    public var appendGuard: AppendGuard {
        { site, logged, new in try admit(new, site: site, state: try fold(site: site, logged)) }
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
