import AuditDomain
import AuditLog

extension LogOptions {
    /// A site's events and rebuilt state; a site with no events is an unknown site, not an empty one.
    func siteState(_ site: String) throws -> (events: [LoggedEvent], state: SiteState) {
        let store = try open()
        do {
            let events = try store.events(site: site)
            guard !events.isEmpty else { throw CommandFailure("unknown site '\(site)': the log has no events for it") }
            return (events, try SiteProjection.rebuild(site: site, events: events))
        } catch let failure as CommandFailure {
            throw failure
        } catch let error as CustomStringConvertible & Error {
            throw CommandFailure(error)
        }
    }
}
