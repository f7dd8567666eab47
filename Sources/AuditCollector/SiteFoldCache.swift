import AuditCrypto
import AuditDomain
import AuditLog
import Foundation

/// One site's fold over every event of it up to some seq of its log: a chunk continues it with its own events
/// instead of reading the site's held events back and folding them again.
struct RunningSite: Sendable {
    let site: String
    /// nil once an event did not fold: the site is `unreadable` from then on, as a rebuild would find it.
    private(set) var fold: SiteFold?
    private(set) var eventCount = 0
    private(set) var lastSeq: Int64 = 0
    /// The first and last observed times, rendered only for the row: once per site and chunk, not per event.
    private(set) var firstTime: Timestamp?
    private(set) var lastTime: Timestamp?

    init(site: String) {
        self.site = site
        fold = SiteFold(site: site)
    }

    /// Applies the site's next event (events of other sites are ignored, as the fold does).
    mutating func apply(_ event: LoggedEvent) {
        guard event.site == site else { return }
        if eventCount == 0 { firstTime = event.observedAt }
        eventCount += 1
        lastSeq = event.seq
        lastTime = event.observedAt
        do throws(DomainError) { try fold?.apply(event) } catch { fold = nil }
    }

    /// The site's fleet row: the same as `FleetSite.project` of all the events applied.
    func row(logID: String, installer: String) -> FleetSite {
        FleetSite.row(
            logID: logID, installer: installer, site: site, state: fold?.state, eventCount: eventCount,
            lastSeq: lastSeq, firstAt: firstTime?.rfc3339 ?? "", lastAt: lastTime?.rfc3339 ?? "")
    }
}

/// The folds of the sites a log's latest chunks touched, in this process, each valid only for the log's head it
/// was folded to.
///
/// An entry is a pure function of the log's events up to (size, head), and the chain makes the head name those
/// events: an entry is used only when it names exactly what PostgreSQL holds under the log's row lock, and is
/// dropped otherwise (another process appended, a transaction rolled back after the entry was kept). A miss
/// costs the read and fold of the held events, as without the cache.
final class SiteFoldCache: @unchecked Sendable {
    struct Entry {
        var size: Int64
        var head: Digest
        var sites: [String: RunningSite]
        var used: UInt64
    }

    // Guarded by `lock`.
    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    private var clock: UInt64 = 0

    /// Logs kept at once (the least recently used is dropped), sites kept per log, and events per kept site: a
    /// bound on memory whatever the fleet, since a fold keeps its site's events to refold a correction.
    let maximumLogs: Int
    let maximumSites: Int
    let maximumSiteEvents: Int

    init(maximumLogs: Int = 64, maximumSites: Int = 16, maximumSiteEvents: Int = 20_000) {
        self.maximumLogs = maximumLogs
        self.maximumSites = maximumSites
        self.maximumSiteEvents = maximumSiteEvents
    }

    /// The kept sites of the log as of exactly `size` and `head`, taken out of the cache; empty on any mismatch.
    func take(logID: String, size: Int64, head: Digest) -> [String: RunningSite] {
        lock.withLock {
            guard let entry = entries.removeValue(forKey: logID), entry.size == size, entry.head == head else {
                return [:]
            }
            return entry.sites
        }
    }

    /// Keeps the log's sites as of `size` and `head`: the `touched` ones first, then others up to the bound.
    func keep(logID: String, size: Int64, head: Digest, sites: [String: RunningSite], touched: [String]) {
        var kept: [String: RunningSite] = [:]
        for name in touched + sites.keys.sorted() where kept.count < maximumSites && kept[name] == nil {
            if let site = sites[name], site.eventCount <= maximumSiteEvents { kept[name] = site }
        }
        lock.withLock {
            clock += 1
            // An older state kept late (its transaction answered after a later one's) does not replace a newer.
            if let held = entries[logID], held.size > size { return }
            entries[logID] = Entry(size: size, head: head, sites: kept, used: clock)
            if entries.count > maximumLogs, let oldest = entries.min(by: { $0.value.used < $1.value.used })?.key {
                entries[oldest] = nil
            }
        }
    }

    /// Forgets the log (a refused or failed chunk: what it was folded from is in doubt).
    func drop(logID: String) {
        lock.withLock { entries[logID] = nil }
    }

    /// How many sites are kept for the log, for tests.
    func count(logID: String) -> Int {
        lock.withLock { entries[logID]?.sites.count ?? 0 }
    }
}
