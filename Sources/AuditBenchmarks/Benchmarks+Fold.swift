import AuditDomain
import AuditLog
import AuditTestSupport
import Foundation

extension Benchmarks {
    /// Folds a whole log of complete runs into each site's state; the baseline only parses every payload once.
    static func fold(_ options: Options, in directory: URL) throws {
        let store = InMemoryEventStore()
        _ = try store.append(ScenarioBuilder.fleet(sites: options.sites))
        let events = try store.events(EventFilter())
        var sites = 0
        // Best of three for both sides: the fold takes a fraction of a second and the machine may be shared.
        let ours = try (0..<3).map { _ in try seconds { sites = try SiteProjection.rebuildAll(events: events).count } }
            .min()!
        guard sites == options.sites else { throw BenchError("fold found \(sites) sites, expected \(options.sites)") }
        let baseline = (0..<3).map { _ in
            seconds { for index in events.indices { _ = try? JSONValue(parsing: events[index].payload) } }
        }.min()!
        let count = Double(events.count)
        line(
            "projection fold (memory)", ours: count / ours, baseline: count / baseline, unit: "ev/s",
            target: "≥1000000 ev/s")
    }
}
