import AuditDomain
import AuditLog
import AuditTestSupport
import Foundation
import Testing

@Suite struct RecoveredPushTests {
    /// A failed push that a retry recovered passes, and the finding names the failed attempt as evidence.
    @Test func aRecoveredFailureIsNamedInAPassingFinding() throws {
        var drafts = ScenarioBuilder(site: "s", stackCount: 2).build().drafts
        let started = try #require(drafts.firstIndex { $0.type == "firmware.push_started" && $0.stack == "S2" })
        let first = drafts[started]
        let failure = DomainEvent.pushFailed(PushFailed(reason: "package rejected")).draft(
            site: "s", stack: "S2", observedAt: first.observedAt, actor: first.actor)
        drafts.insert(contentsOf: [first, failure], at: started)
        drafts[started].eventID = UUID.version7().uuidString.lowercased()
        let store = try liveStore(drafts)
        let findings = try Rules.evaluate(site: "s", events: store.events(site: "s"))
        let finding = try #require(findings.first { $0.rule == "push.no-stalled" })
        #expect(finding.verdict == .pass)
        #expect(finding.message.contains("retried after a failed attempt: S2 (event "))
        let failedSeq = try store.events(EventFilter(type: "firmware.push_failed")).first!.seq
        #expect(finding.evidence.contains(failedSeq))
        #expect(findings.allSatisfy { $0.verdict == .pass })
    }
}
