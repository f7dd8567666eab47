import AuditDomain
import AuditLog
import Foundation
import GRDBSQLite

extension Benchmarks {
    /// Complete runs at `sites` sites, as many stacks each as fill `events` in all, interleaved round-robin (the
    /// worst case for locality): what a log of a season's work looks like.
    static func scenarioSites(events: Int, sites: Int) -> [EventDraft] {
        let perSite = max(1, events / sites)
        var stackCount = 2
        while stackCount < 64, ScenarioBuilder(site: "probe", stackCount: stackCount).build().drafts.count < perSite {
            stackCount += 1
        }
        let runs = (0..<sites).map { ScenarioBuilder(site: "site-\($0)", stackCount: stackCount).build().drafts }
        var interleaved: [EventDraft] = []
        interleaved.reserveCapacity(runs.reduce(0) { $0 + $1.count })
        for index in 0..<(runs.map(\.count).max() ?? 0) {
            for run in runs where index < run.count { interleaved.append(run[index]) }
        }
        return interleaved
    }

    /// Rebuilds one site from a durable log of `verifyEvents` events spread over `sites` sites, runs interleaved
    /// round-robin (the worst case for locality); the baseline is raw SQLite reading the same rows.
    static func siteRebuild(_ options: Options, in directory: URL) throws {
        let interleaved = scenarioSites(events: options.verifyEvents, sites: options.sites)
        let path = directory.appending(path: "sites.db").path
        let store = try SQLiteEventStore.create(at: path, options: .init(synchronous: .normal))
        var written = 0
        while written < interleaved.count {
            let end = min(written + 100_000, interleaved.count)
            _ = try store.append(Array(interleaved[written..<end]))
            written = end
        }
        let site = "site-\(options.sites / 2)"
        var state: SiteState?
        let ours = try (0..<5).map { _ in
            try seconds {
                let reopened = try SQLiteEventStore.open(at: path)
                state = try SiteProjection.rebuild(site: site, events: reopened.events(site: site))
            }
        }.min()!
        guard let state, state.phase == .completed else { throw BenchError("site rebuild did not complete the run") }
        let raw = try RawSQLite(path: path, synchronous: "NORMAL")
        let baseline = try (0..<5).map { _ in try seconds { _ = try raw.countRows(site: site) } }.min()!
        print(
            "site rebuild                 ours \(String(format: "%.1f", ours * 1000)) ms | raw read \(String(format: "%.1f", baseline * 1000)) ms | \(state.eventCount) of \(interleaved.count) events, \(options.sites) sites | target <50 ms"
        )

        // The whole log, from disk: read every row and fold every site.
        let reopened = try SQLiteEventStore.open(at: path)
        var total = 0
        let wholeLog = try seconds {
            var folds: [String: SiteFold] = [:]
            try reopened.scan(EventFilter()) { event in
                total += 1
                do { try folds[event.site, default: SiteFold(site: event.site)].apply(event) } catch { return false }
                return true
            }
        }
        let rawScan = try seconds { _ = try raw.countRows(site: nil) }
        line(
            "read+fold from disk", ours: Double(total) / wholeLog, baseline: Double(total) / rawScan, unit: "ev/s",
            target: "none (the fold alone is projection fold)")
    }
}

extension RawSQLite {
    /// Steps through a site's rows (or all rows) touching every column, as a reader must.
    func countRows(site: String?) throws -> Int {
        let sql =
            "SELECT seq, event_id, site, stack, type, payload, observed_at, recorded_at, actor, prev_hash, hash FROM events"
            + (site == nil ? "" : " WHERE site = ?1") + " ORDER BY seq"
        let statement = try prepare(sql)
        defer { sqlite3_finalize(statement) }
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        if let site { sqlite3_bind_text(statement, 1, site, -1, transient) }
        var count = 0
        var bytes = 0
        while sqlite3_step(statement) == SQLITE_ROW {
            for column in Int32(0)..<11 { bytes &+= Int(sqlite3_column_bytes(statement, column)) }
            count += 1
        }
        return count &+ (bytes & 0)
    }
}
