import AuditDomain
import AuditLog

/// One site of one log as the fleet view shows it: `audit check`'s verdict and the facts auditors filter on.
public struct FleetSite: Sendable, Hashable {
    public var logID: String
    public var site: String
    public var installer: String
    /// pass, fail or unverifiable (SiteCheck's), or `unreadable` when the site's events do not fold.
    public var verdict: String
    /// The ids of the failing rules, in the rules' order.
    public var failing: [String]
    /// Each stack's firmware version as last read (after a push, else before), in stack order.
    public var firmware: [String]
    /// The master stack's ADDR DIP bank as first observed and as it stands now.
    public var dipOriginal: String?
    public var dipFinal: String?
    /// A run made with the simulator: never evidence of a visit.
    public var simulation: Bool
    /// Events logged after the procedure completed.
    public var lateEntries: Int
    public var eventCount: Int
    public var lastSeq: Int64
    /// The observed_at of the site's first and last events, canonical RFC 3339.
    public var firstAt: String
    public var lastAt: String
    /// The collector cosigned a checkpoint that covers the site's last event.
    public var witnessed: Bool
    /// The site's log was found rewritten after an earlier sync.
    public var forked: Bool

    public init(
        logID: String, site: String, installer: String, verdict: String, failing: [String], firmware: [String],
        dipOriginal: String?, dipFinal: String?, simulation: Bool, lateEntries: Int, eventCount: Int, lastSeq: Int64,
        firstAt: String, lastAt: String, witnessed: Bool = false, forked: Bool = false
    ) {
        self.logID = logID
        self.site = site
        self.installer = installer
        self.verdict = verdict
        self.failing = failing
        self.firmware = firmware
        self.dipOriginal = dipOriginal
        self.dipFinal = dipFinal
        self.simulation = simulation
        self.lateEntries = lateEntries
        self.eventCount = eventCount
        self.lastSeq = lastSeq
        self.firstAt = firstAt
        self.lastAt = lastAt
        self.witnessed = witnessed
        self.forked = forked
    }

    /// Folds the site's events (all of them, in seq order) with the same projection and rules as `audit check`.
    public static func project(logID: String, installer: String, site: String, events: [LoggedEvent]) -> FleetSite {
        let state: SiteState?
        // A log may hold events this library cannot fold (another tool's types): shown, never hidden.
        do { state = try SiteProjection.rebuild(site: site, events: events) } catch { state = nil }
        return row(
            logID: logID, installer: installer, site: site, state: state, eventCount: events.count,
            lastSeq: events.last?.seq ?? 0, firstAt: events.first?.observedAt.rfc3339 ?? "",
            lastAt: events.last?.observedAt.rfc3339 ?? "")
    }

    /// The row of a site whose events folded into `state` (nil: they did not fold, `unreadable`): one mapping for
    /// a whole-site rebuild and for a fold carried from chunk to chunk.
    static func row(
        logID: String, installer: String, site: String, state: SiteState?, eventCount: Int, lastSeq: Int64,
        firstAt: String, lastAt: String
    ) -> FleetSite {
        guard let state else {
            return FleetSite(
                logID: logID, site: site, installer: installer, verdict: "unreadable", failing: [], firmware: [],
                dipOriginal: nil, dipFinal: nil, simulation: false, lateEntries: 0, eventCount: eventCount,
                lastSeq: lastSeq, firstAt: firstAt, lastAt: lastAt)
        }
        let check = SiteCheck(state)
        return FleetSite(
            logID: logID, site: site, installer: installer, verdict: check.verdict.rawValue,
            failing: check.failing.map(\.rule),
            firmware: state.stacks.compactMap { ($0.versionAfter ?? $0.versionBefore)?.value },
            dipOriginal: state.master?.addr.original?.value.description,
            dipFinal: state.master?.addr.now?.value.description,
            simulation: state.procedure?.value.transport?.isSimulation ?? false,
            lateEntries: state.lateEntries.count, eventCount: eventCount, lastSeq: lastSeq, firstAt: firstAt,
            lastAt: lastAt)
    }

    /// The object `GET /v1/sites` lists.
    public var json: JSONValue {
        [
            "log_id": .string(logID), "site": .string(site), "installer": .string(installer),
            "verdict": .string(verdict), "failing": .array(failing.map(JSONValue.string)),
            "firmware": .array(firmware.map(JSONValue.string)),
            "dip_original": dipOriginal.map(JSONValue.string) ?? .null,
            "dip_final": dipFinal.map(JSONValue.string) ?? .null, "simulation": .bool(simulation),
            "late_entries": .integer(Int64(lateEntries)), "event_count": .integer(Int64(eventCount)),
            "last_seq": .integer(lastSeq), "first_at": .string(firstAt), "last_at": .string(lastAt),
            "witnessed": .bool(witnessed), "fork_detected": .bool(forked),
        ]
    }
}

/// The filters of `GET /v1/sites`; every field set narrows the answer.
public struct SiteQuery: Sendable, Hashable {
    public var failing: String?
    public var verdict: String?
    public var installer: String?
    public var firmware: String?
    public var witnessed: Bool?
    public var forked: Bool?
    public var simulation: Bool?
    /// Sites whose last event was observed at or after / before this canonical time.
    public var since: String?
    public var until: String?
    public var site: String?
    public var limit: Int
    public var offset: Int

    public init(
        failing: String? = nil, verdict: String? = nil, installer: String? = nil, firmware: String? = nil,
        witnessed: Bool? = nil, forked: Bool? = nil, simulation: Bool? = nil, since: String? = nil,
        until: String? = nil, site: String? = nil, limit: Int = 500, offset: Int = 0
    ) {
        self.failing = failing
        self.verdict = verdict
        self.installer = installer
        self.firmware = firmware
        self.witnessed = witnessed
        self.forked = forked
        self.simulation = simulation
        self.since = since
        self.until = until
        self.site = site
        self.limit = limit
        self.offset = offset
    }

    /// Whether `row` passes every filter: the in-memory store's form of the SQL WHERE clause.
    public func admits(_ row: FleetSite) -> Bool {
        if let failing, !row.failing.contains(failing) { return false }
        if let verdict, row.verdict != verdict { return false }
        if let installer, row.installer != installer { return false }
        if let firmware, !row.firmware.contains(firmware) { return false }
        if let witnessed, row.witnessed != witnessed { return false }
        if let forked, row.forked != forked { return false }
        if let simulation, row.simulation != simulation { return false }
        if let since, row.lastAt < since { return false }
        if let until, row.lastAt >= until { return false }
        if let site, row.site != site { return false }
        return true
    }
}
