import AuditDomain
import AuditLog
import Testing

@Suite struct RulesTests {
    static let ruleIDs: Set<String> = [
        "dip.addr-restored", "dip.inv-restored", "dip.originals-first", "power.off-before-unplug",
        "power.off-before-reconnect", "push.isolated", "detect.isolated-62-then-1", "firmware.target-version",
        "push.no-stalled", "cables.restored", "power.on-order", "detect.final-count", "errors.none-open",
        "steps.complete-in-order", "dip.addr-parallel-valid", "record.no-late-entries",
    ]

    @Test func ruleIDsAreTheBindingOnes() {
        #expect(Set(Rules.all.map(\.id)) == Self.ruleIDs)
        #expect(Rules.all.count == Self.ruleIDs.count)
    }

    @Test("a correct run passes every rule", arguments: 1...4)
    func correctRunPasses(stacks: Int) throws {
        let scenario = ScenarioBuilder(stackCount: stacks).build()
        let findings = try Rules.evaluate(site: scenario.site, events: logged(scenario.drafts))
        for finding in findings { #expect(finding.verdict == .pass, "\(finding)") }
        #expect(findings.count == Self.ruleIDs.count)
    }

    @Test("each deviation fails exactly its rules, citing the offending events", arguments: Deviation.allCases)
    func deviationFailsItsRules(deviation: Deviation) throws {
        let scenario = ScenarioBuilder(stackCount: 3, deviation: deviation).build()
        let events = try logged(scenario.drafts)
        let findings = try Rules.evaluate(site: scenario.site, events: events)
        #expect(Set(scenario.evidence.keys) == deviation.failingRules)
        #expect(Set(findings.filter { $0.verdict == .fail }.map(\.rule)) == deviation.failingRules)
        for finding in findings where finding.verdict != .fail { #expect(finding.verdict == .pass, "\(finding)") }
        for finding in findings where finding.verdict == .fail {
            #expect(finding.evidence == seqs(of: scenario.evidence[finding.rule] ?? [], in: events), "\(finding)")
            #expect(!finding.message.contains("\n"))
        }
    }

    @Test func failingFindingsComeFirst() throws {
        let scenario = ScenarioBuilder(deviation: .stalledPush).build()
        let verdicts = try Rules.evaluate(site: scenario.site, events: logged(scenario.drafts)).map(\.verdict)
        #expect(verdicts == verdicts.sorted())
        #expect(verdicts.first == .fail)
    }

    @Test func interleavedSitesGiveTheSameAnswers() throws {
        let scenarios = [
            ScenarioBuilder(site: "north", stackCount: 3, deviation: .wrongPowerOrder).build(),
            ScenarioBuilder(site: "south", stackCount: 2).build(),
            ScenarioBuilder(site: "east", stackCount: 4, deviation: .pushWhileParallel).build(),
        ]
        var interleaved: [EventDraft] = []
        for index in 0..<scenarios.map(\.drafts.count).max()! {
            for scenario in scenarios where index < scenario.drafts.count { interleaved.append(scenario.drafts[index]) }
        }
        let shared = try logged(interleaved)
        let all = try SiteProjection.rebuildAll(events: shared)
        #expect(Set(all.keys) == ["north", "south", "east"])
        for scenario in scenarios {
            let alone = try logged(scenario.drafts)
            let together = try Rules.evaluate(site: scenario.site, events: shared)
            #expect(together == Rules.evaluate(all[scenario.site]!))
            #expect(
                described(together, shared) == described(try Rules.evaluate(site: scenario.site, events: alone), alone))
        }
    }

    /// Findings with evidence as event ids and seqs stripped from messages, so two logs can be compared.
    private func described(_ findings: [Finding], _ events: [LoggedEvent]) -> [String] {
        let ids = Dictionary(uniqueKeysWithValues: events.map { ($0.seq, $0.eventID) })
        return findings.map { "\($0.rule) \($0.verdict) \($0.evidence.map { ids[$0]! })" }
    }

    @Test func missingOriginalsAreUnverifiableNotPassing() throws {
        let scenario = ScenarioBuilder(stackCount: 2).build()
        let drafts = scenario.drafts.filter { $0.type != "dip.observed" }
        let findings = try Rules.evaluate(site: scenario.site, events: logged(drafts))
        let verdicts = Dictionary(uniqueKeysWithValues: findings.map { ($0.rule, $0.verdict) })
        #expect(verdicts["dip.addr-restored"] == .unverifiable)
        #expect(verdicts["dip.originals-first"] == .fail)
        #expect(verdicts["push.isolated"] == .unverifiable)
    }

    @Test func powerOnGapComesFromTheProcedureFile() throws {
        let scenario = ScenarioBuilder().build()
        let state = try SiteProjection.rebuild(site: scenario.site, events: logged(scenario.drafts))
        #expect(Rules.minimumPowerOnGap(state) == 10_000)
        #expect(Rules.minimumPowerOnGap(SiteState(site: "none")) == 10_000)
    }

    @Test func emptySiteIsNeverAPass() {
        let findings = Rules.evaluate(SiteState(site: "nowhere"))
        #expect(findings.allSatisfy { $0.verdict == .unverifiable })
    }
}
