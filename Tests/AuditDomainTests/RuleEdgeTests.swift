import AuditDomain
import AuditLog
import Foundation
import Testing

/// Paths the deviations do not reach: retries, bricked units, foreign images, steps out of order.
@Suite struct RuleEdgeTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var edit: @Sendable (inout [EventDraft]) -> Void
        var rule: String
        var verdict: Verdict
        var message: String
        var testDescription: String { name }
    }

    static func index(_ drafts: [EventDraft], _ type: String, _ stack: String? = nil) -> Int {
        drafts.firstIndex { $0.type == type && (stack == nil || $0.stack == stack) }!
    }

    /// Inserts `event` just before the draft at `position`, observed at the same time.
    static func insert(_ event: DomainEvent, stack: String?, at position: Int, in drafts: inout [EventDraft]) {
        let draft = drafts[position]
        drafts.insert(
            event.draft(site: draft.site, stack: stack, observedAt: draft.observedAt, actor: draft.actor), at: position)
    }

    static let cases: [Case] = [
        Case(
            name: "a failed push retried successfully",
            edit: { drafts in
                let start = index(drafts, "firmware.push_started", "S2")
                insert(.pushFailed(PushFailed(reason: "link lost")), stack: "S2", at: start, in: &drafts)
                insert(
                    .pushStarted(
                        PushStarted(
                            imageSHA256: ScenarioBuilder().imageSHA256, targetVersion: "4007", transport: "skybox",
                            attempt: 1)), stack: "S2", at: start, in: &drafts)
            }, rule: "push.no-stalled", verdict: .pass, message: "every push"),
        Case(
            name: "a failed push never retried",
            edit: { drafts in
                drafts[index(drafts, "firmware.push_completed", "S3")].type = "firmware.push_failed"
                drafts[index(drafts, "firmware.push_failed", "S3")].data = ["v": 1, "reason": "timeout"]
            }, rule: "push.no-stalled", verdict: .fail, message: "S3's last push failed"),
        Case(
            name: "ERROR 20 after the push",
            edit: { drafts in
                let end = index(drafts, "procedure.completed")
                insert(.lcdObserved(LCDObserved(code: try! LCDCode(parsing: "3"))), stack: "S2", at: end, in: &drafts)
                insert(
                    .lcdObserved(LCDObserved(code: try! LCDCode(parsing: "ERROR 20"))), stack: "S2", at: end,
                    in: &drafts)
            }, rule: "firmware.target-version", verdict: .fail, message: "S2 showed ERROR 20"),
        Case(
            name: "a unit reading 0000",
            edit: { drafts in drafts[index(drafts, "firmware.push_completed", "S1")].data = ["v": 1, "version": "0000"]
            },
            rule: "firmware.target-version", verdict: .fail, message: "may be bricked"),
        Case(
            name: "a push from another image",
            edit: { drafts in
                let start = index(drafts, "firmware.push_started", "S1")
                drafts[start].data =
                    DomainEvent.pushStarted(
                        PushStarted(imageSHA256: "beef", targetVersion: "4007", transport: "skybox", attempt: 1)
                    ).data
            }, rule: "firmware.target-version", verdict: .fail, message: "used image beef"),
        Case(
            name: "a step completed out of order",
            edit: { drafts in
                let step = drafts.remove(at: drafts.firstIndex { $0.data["step"] == "isolate.power-off" }!)
                drafts.insert(step, at: drafts.firstIndex { $0.data["step"] == "isolate.unplug-cables" }! + 1)
            }, rule: "steps.complete-in-order", verdict: .fail, message: "skipped isolate.power-off"),
        Case(
            name: "an unknown step",
            edit: { drafts in
                insert(
                    .stepCompleted(StepCompleted(step: "isolate.coffee")), stack: nil,
                    at: index(drafts, "procedure.completed"), in: &drafts)
            }, rule: "steps.complete-in-order", verdict: .fail, message: "unknown step 'isolate.coffee'"),
        Case(
            name: "no procedure.started",
            edit: { drafts in drafts.remove(at: index(drafts, "procedure.started")) },
            rule: "firmware.target-version", verdict: .unverifiable, message: "no procedure.started"),
        Case(
            name: "a unit left off",
            edit: { drafts in
                let restore = index(drafts, "firmware.push_completed", "S3")
                drafts.remove(at: drafts[restore...].firstIndex { $0.stack == "S2" && $0.data["state"] == "on" }!)
            },
            rule: "power.on-order", verdict: .fail, message: "S2 is off at the end"),
        Case(
            name: "a push with ADDR not at master",
            edit: { drafts in
                drafts.remove(at: drafts.firstIndex { $0.stack == "S2" && $0.data["position"] == "UDDDDD" }!)
            },
            rule: "push.isolated", verdict: .fail, message: "S2 pushed (event 54) with ADDR DUDDDD"),
        Case(
            name: "power never observed",
            edit: { drafts in drafts.removeAll { $0.type == "power.observed" } },
            rule: "power.off-before-unplug", verdict: .unverifiable, message: "power was never observed"),
        Case(
            name: "topology never recorded",
            edit: { drafts in
                let prepared = drafts[index(drafts, "step.completed")].observedAt!
                drafts.removeAll { $0.type == "cable.observed" && $0.observedAt! < prepared }
            },
            rule: "cables.restored", verdict: .unverifiable, message: "never recorded"),
        Case(
            name: "an extra cable",
            edit: { drafts in
                let cable = CableObserved(
                    from: try! PortRef(parsing: "S1:B"), to: try! PortRef(parsing: "S3:A"), state: .plugged)
                insert(.cableObserved(cable), stack: nil, at: index(drafts, "procedure.completed"), in: &drafts)
            },
            rule: "cables.restored", verdict: .fail, message: "S1:B-S3:A is plugged"),
    ]

    @Test(arguments: cases)
    func edge(_ edge: Case) throws {
        var drafts = ScenarioBuilder().build().drafts
        edge.edit(&drafts)
        let findings = try Rules.evaluate(site: "site-1", events: logged(drafts))
        let finding = try #require(findings.first { $0.rule == edge.rule })
        #expect(finding.verdict == edge.verdict, "\(finding)")
        #expect(finding.message.contains(edge.message), "\(finding)")
    }

    @Test func retriesAreCounted() throws {
        var drafts = ScenarioBuilder().build().drafts
        Self.cases[0].edit(&drafts)
        let state = try SiteProjection.rebuild(site: "site-1", events: logged(drafts))
        #expect(state.stack("S2")?.pushAttempts == 2)
        #expect(state.stack("S2")?.pushes.first?.status == .failed)
        #expect(state.stack("S2")?.pushStatus == .completed)
    }
}

@Suite struct WriterTests {
    @Test func validationAgainstTheSite() throws {
        let state = try SiteProjection.rebuild(site: "site-1", events: logged(ScenarioBuilder().build().drafts))
        let dip = DomainEvent.dipObserved(DIPObserved(bank: .addr, position: try DIPPosition(parsing: "UDDD")))
        #expect(throws: DomainError.dipWrongLength(position: "UDDD", pins: 6)) { try state.validate(dip, stack: "S1") }
        let power = DomainEvent.powerObserved(PowerObserved(state: .on))
        #expect(throws: DomainError.unknownStack("S9")) { try state.validate(power, stack: "S9") }
        #expect(throws: DomainError.missingStack(type: "power.observed")) { try state.validate(power, stack: nil) }
        let cable = DomainEvent.cableObserved(
            CableObserved(from: try PortRef(parsing: "S1:A"), to: try PortRef(parsing: "S7:B"), state: .plugged))
        #expect(throws: DomainError.unknownStack("S7")) { try state.validate(cable, stack: nil) }
        try state.validate(power, stack: "S3")
        try state.validate(.dipObserved(DIPObserved(bank: .inv, position: .detection(pins: 6))), stack: "S1")
    }

    @Test func jsonLinesCarryEveryDraft() throws {
        let scenario = ScenarioBuilder(stackCount: 2, deviation: .shortPause).build()
        let lines = scenario.jsonLines.split(separator: "\n")
        #expect(lines.count == scenario.drafts.count)
        for (line, draft) in zip(lines, scenario.drafts) {
            let object = try JSONValue(parsing: String(line))
            #expect(object["event_id"] == .string(draft.eventID))
            #expect(object["data"] == draft.data)
            #expect(object["observed_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)) == draft.observedAt)
        }
    }

    @Test func scenariosAreReproducible() {
        #expect(
            ScenarioBuilder(deviation: .stalledPush).build().drafts
                == ScenarioBuilder(deviation: .stalledPush).build().drafts)
        let ids =
            ScenarioBuilder(site: "a").build().drafts.map(\.eventID)
            + ScenarioBuilder(site: "b").build().drafts.map(\.eventID)
        #expect(Set(ids).count == ids.count)
    }
}
