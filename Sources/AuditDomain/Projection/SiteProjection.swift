import AuditLog

/// Rebuilds state from the log: the only source of truth, folded the same way every time.
public enum SiteProjection {
    /// One site's state from a log that may interleave other sites' events.
    public static func rebuild(site: String, events: [LoggedEvent]) throws(DomainError) -> SiteState {
        var fold = SiteFold(site: site)
        for event in events { try fold.apply(event) }
        return fold.state
    }

    /// Every site's state in one pass over the whole log.
    public static func rebuildAll(events: [LoggedEvent]) throws(DomainError) -> [String: SiteState] {
        var folds: [String: SiteFold] = [:]
        for event in events {
            try folds[event.site, default: SiteFold(site: event.site)].apply(event)
        }
        return folds.mapValues(\.state)
    }
}
