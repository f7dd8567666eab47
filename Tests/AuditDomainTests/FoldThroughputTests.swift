import AuditDomain
import AuditLog
import Foundation
import Testing

@Suite struct FoldThroughputTests {
    /// Many sites' runs in one log: folding all of them must agree with folding each alone, and be fast.
    @Test func wholeLogFold() throws {
        let sites = ProcessInfo.processInfo.environment["AUDIT_FOLD_SITES"].flatMap { Int($0) } ?? 200
        let events = try logged(ScenarioBuilder.fleet(sites: sites))
        var states: [String: SiteState] = [:]
        var best = Double.infinity
        for _ in 0..<5 {
            let start = threadSeconds()
            states = try SiteProjection.rebuildAll(events: events)
            best = min(best, threadSeconds() - start)
        }
        print(
            "folded \(events.count) events of \(sites) sites at \(Int(Double(events.count) / best)) events/s (CPU time)"
        )
        #expect(states.count == sites)
        #expect(states["site-7"] == (try SiteProjection.rebuild(site: "site-7", events: events)))
    }

    /// CPU time of this thread: steadier than wall time on a shared machine.
    private func threadSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
