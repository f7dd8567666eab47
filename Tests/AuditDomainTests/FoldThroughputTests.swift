import AuditDomain
import AuditLog
import Foundation
import Testing

@Suite struct FoldThroughputTests {
    /// Many sites' runs in one log: folding all of them must agree with folding each alone, and be fast.
    @Test func wholeLogFold() throws {
        let sites = ProcessInfo.processInfo.environment["AUDIT_FOLD_SITES"].flatMap { Int($0) } ?? 200
        var drafts: [EventDraft] = []
        for index in 0..<sites {
            let deviations = Deviation.allCases
            let deviation =
                index % (deviations.count + 1) < deviations.count ? deviations[index % (deviations.count + 1)] : nil
            drafts +=
                ScenarioBuilder(site: "site-\(index)", stackCount: 2 + index % 3, deviation: deviation).build().drafts
        }
        let events = try logged(drafts)
        let clock = ContinuousClock()
        var states: [String: SiteState] = [:]
        let elapsed = try clock.measure { states = try SiteProjection.rebuildAll(events: events) }
        let seconds = Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds)
        print("folded \(events.count) events of \(sites) sites at \(Int(Double(events.count) / seconds)) events/s")
        #expect(states.count == sites)
        #expect(states["site-7"] == (try SiteProjection.rebuild(site: "site-7", events: events)))
    }
}
