import AuditLog

/// Rebuilds state from the log: the only source of truth, folded the same way every time.
public enum SiteProjection {
    /// One site's state from a log that may interleave other sites' events.
    public static func rebuild(site: String, events: [LoggedEvent]) throws(DomainError) -> SiteState {
        var fold = SiteFold(site: site, keepsHistory: false)
        for event in events.indices { try fold.apply(columnsOf: events, event) }
        guard fold.sawCorrection else { return fold.state }
        return try rebuildKeepingHistory(site: site, events: events)
    }

    /// The fold a correction needs: it keeps the site's events to refold them.
    static func rebuildKeepingHistory(site: String, events: [LoggedEvent]) throws(DomainError) -> SiteState {
        var fold = SiteFold(site: site)
        for event in events.indices { try fold.apply(columnsOf: events, event) }
        return fold.state
    }

    /// Every site's state in one pass over the whole log.
    public static func rebuildAll(events: [LoggedEvent]) throws(DomainError) -> [String: SiteState] {
        var folds: [SiteFold] = []
        var index: [String: Int] = [:]
        var current = -1
        for position in events.indices {
            // Logs hold runs of one site's events: only hash the site name when it changes.
            let site = events[position].site
            if current < 0 || folds[current].site != site {
                current = index[site] ?? folds.count
                if current == folds.count {
                    index[site] = current
                    folds.append(SiteFold(site: site, keepsHistory: false))
                }
            }
            try folds[current].apply(columnsOf: events, position)
        }
        var states = Dictionary(uniqueKeysWithValues: folds.map { ($0.site, $0.state) })
        for fold in folds where fold.sawCorrection {
            states[fold.site] = try rebuildKeepingHistory(site: fold.site, events: events)
        }
        return states
    }
}

extension SiteFold {
    /// Reads the event's columns in place in the array rather than copying the whole event out of it.
    fileprivate mutating func apply(columnsOf events: [LoggedEvent], _ index: Int) throws(DomainError) {
        try apply(
            site: events[index].site, stack: events[index].stack, type: events[index].type,
            payload: events[index].payload, seq: events[index].seq, at: events[index].observedAt,
            recordedAt: events[index].recordedAt, actor: events[index].actor)
    }
}
