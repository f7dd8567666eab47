import AuditDomain
import AuditLog
import Testing

@Suite struct ProjectionTests {
    @Test func correctRunState() throws {
        let scenario = ScenarioBuilder(stackCount: 3).build()
        let events = try logged(scenario.drafts)
        let state = try SiteProjection.rebuild(site: scenario.site, events: events)
        #expect(state.phase == .completed)
        #expect(state.stacks.map(\.id) == ["S1", "S2", "S3"])
        #expect(state.stacks.map(\.order) == [1, 2, 3])
        #expect(state.procedure?.value.targetVersion == "4007")
        #expect(state.links.keys.sorted() == state.originalLinks.keys.sorted())
        #expect(state.originalLinks.count == 2)
        #expect(state.stepsCompleted.count == 12)
        let slave = try #require(state.stack("S2"))
        #expect(slave.addr.original?.value == (try DIPPosition(parsing: "DUDDDD")))
        #expect(slave.addr.now?.value == slave.addr.original?.value)
        #expect(slave.versionBefore?.value == "4005")
        #expect(slave.versionAfter?.value == "4007")
        #expect(slave.pushStatus == .completed)
        #expect(slave.pushAttempts == 1)
        #expect(slave.openErrors.isEmpty)
        #expect(slave.power?.value == .on)
        #expect(state.master?.detections.last?.count.value == 3)
    }

    @Test func rebuildIsDeterministic() throws {
        let events = try logged(ScenarioBuilder(deviation: .stalledPush).build().drafts)
        #expect(
            try SiteProjection.rebuild(site: "site-1", events: events)
                == SiteProjection.rebuild(site: "site-1", events: events))
    }

    @Test func incrementalFoldMatchesRebuild() throws {
        let events = try logged(ScenarioBuilder(deviation: .cableNotRestored).build().drafts)
        var logged = SiteFold(site: "site-1")
        var decoded = SiteFold(site: "site-1")
        for event in events {
            try logged.apply(event)
            decoded.apply(
                try DomainEvent.decode(event), stack: event.stack, seq: event.seq, at: event.observedAt,
                recordedAt: event.recordedAt, actor: event.actor)
        }
        let rebuilt = try SiteProjection.rebuild(site: "site-1", events: events)
        #expect(logged.state == rebuilt)
        #expect(decoded.state == rebuilt)
        #expect(try SiteProjection.rebuildAll(events: events)["site-1"] == rebuilt)
    }

    @Test func otherSitesAreIgnored() throws {
        let events = try logged(ScenarioBuilder(site: "a").build().drafts)
        let state = try SiteProjection.rebuild(site: "b", events: events)
        #expect(state == SiteState(site: "b"))
    }

    @Test func phaseFollowsCompletedSteps() throws {
        let drafts = ScenarioBuilder().build().drafts
        let cut = try #require(drafts.firstIndex { $0.data["step"] == "isolate.set-addr-master" })
        let state = try SiteProjection.rebuild(site: "site-1", events: logged(Array(drafts[...cut])))
        #expect(state.phase == .isolatedDetection)
    }

    @Test func stalledPushIsInFlight() throws {
        let state = try SiteProjection.rebuild(
            site: "site-1", events: logged(ScenarioBuilder(deviation: .stalledPush).build().drafts))
        #expect(state.stack("S3")?.pushStatus == .inFlight)
        #expect(state.stack("S3")?.pushes.last?.progress?.value == 40)
    }

    @Test func errorsClearOnTheNextNormalCode() throws {
        var fold = SiteFold(site: "s")
        let at = Timestamp(millisecondsSinceEpoch: 0)
        fold.apply(.lcdObserved(LCDObserved(code: try LCDCode(parsing: "ERROR 19"))), stack: "S1", seq: 1, at: at)
        fold.apply(.lcdObserved(LCDObserved(code: try LCDCode(parsing: "ERROR 20"))), stack: "S1", seq: 2, at: at)
        #expect(fold.state.stack("S1")?.openErrors.map(\.seq) == [1, 2])
        fold.apply(.lcdObserved(LCDObserved(code: try LCDCode(parsing: "62"))), stack: "S1", seq: 3, at: at)
        #expect(fold.state.stack("S1")?.openErrors.isEmpty == true)
        #expect(fold.state.stack("S1")?.lastError20?.seq == 2)
    }

    @Test func undecodableEventNamesItsSeq() throws {
        let events = try logged([EventDraft(site: "site-1", stack: "S1", type: "power.observed", actor: "t")])
        let error = #expect(throws: DomainError.self) { try SiteProjection.rebuild(site: "site-1", events: events) }
        if case .inEvent(let seq, .invalidPayload(let type, _))? = error {
            #expect(seq == 1)
            #expect(type == "power.observed")
        } else {
            Issue.record("expected an invalid payload named by its seq, got \(String(describing: error))")
        }
    }

    /// Issue 9: a site's generic events are no facts, but they no longer make its state unreadable.
    @Test func aGenericEventIsSkippedByTheFold() throws {
        let events = try logged([
            EventDraft(site: "site-1", type: "coffee.brewed", actor: "t"),
            EventDraft(site: "site-1", stack: "S1", type: "power.observed", data: ["state": "off"], actor: "t"),
        ])
        let state = try SiteProjection.rebuild(site: "site-1", events: events)
        #expect(state.stack("S1")?.power?.seq == 2)
    }
}
