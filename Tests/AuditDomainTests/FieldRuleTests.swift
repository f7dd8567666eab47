import AuditDomain
import AuditLog
import AuditTestSupport
import Foundation
import Testing

/// Issue 9's field findings, replayed against the domain: each must now give the behaviour the issue asks for.
@Suite struct FieldRuleTests {
    /// A live log of a correct 2-stack run with the admission gate, to append more to.
    static func site(stacks: Int = 2) throws -> (InMemoryEventStore, ManualClock, [EventDraft]) {
        let clock = ManualClock(Timestamp(millisecondsSinceEpoch: 1_700_000_000_000))
        let store = InMemoryEventStore(logID: "field", clock: clock)
        let drafts = ScenarioBuilder(stackCount: stacks).build().drafts
        for draft in drafts {
            clock.advance(milliseconds: draft.observedAt!.milliseconds(since: clock.now()))
            _ = try store.append([draft], guard: SiteAdmission.check)
        }
        return (store, clock, drafts)
    }

    static func draft(
        _ event: DomainEvent, stack: String?, at clock: ManualClock, correcting: CorrectionMark? = nil
    ) -> EventDraft {
        event.draft(site: "site-1", stack: stack, observedAt: clock.now(), actor: "tech", correcting: correcting)
    }

    static func finding(_ rule: String, _ store: InMemoryEventStore) throws -> Finding {
        try #require(try Rules.evaluate(site: "site-1", events: store.events(site: "site-1")).first { $0.rule == rule })
    }

    /// The refusal's one-line message as the append reports it.
    static func refusal(_ store: InMemoryEventStore, _ draft: EventDraft) -> String? {
        do {
            _ = try store.append([draft], guard: SiteAdmission.check)
            return nil
        } catch { return error.description }
    }

    struct CableCase: Sendable, CustomTestStringConvertible {
        var from: String
        var to: String
        var message: String?
        var testDescription: String { "\(from)-\(to)" }
    }

    @Test(
        "a cable joins two different stacks and a port holds one cable",
        arguments: [
            CableCase(
                from: "S1:A", to: "S1:B",
                message: "a cable joins two different stacks; S1:A and S1:B are ports of the same one"),
            CableCase(
                from: "S2:A", to: "S1:A",
                message: "port S1:A already holds cable S1:A-S2:B (event 49); record that one unplugged first"),
            CableCase(from: "S1:A", to: "S2:B", message: nil),
            CableCase(from: "S2:A", to: "S1:B", message: nil),
        ])
    func cables(_ cable: CableCase) throws {
        let (store, clock, _) = try Self.site()
        let before = try store.head().size
        let event = DomainEvent.cableObserved(
            CableObserved(from: try PortRef(parsing: cable.from), to: try PortRef(parsing: cable.to), state: .plugged))
        #expect(Self.refusal(store, Self.draft(event, stack: nil, at: clock)) == cable.message)
        #expect(try store.head().size == before + (cable.message == nil ? 1 : 0))
    }

    @Test(
        "an observed time at most 5 s ahead of the log's clock", arguments: [(0, true), (5_000, true), (5_001, false)])
    func observedAhead(lead: Int64, accepted: Bool) throws {
        let (store, clock, _) = try Self.site()
        var note = Self.draft(.noteAdded(NoteAdded(text: "later")), stack: nil, at: clock)
        note.observedAt = clock.now().adding(milliseconds: lead)
        let result = Result { try store.append([note], guard: SiteAdmission.check) }
        #expect(((try? result.get()) != nil) == accepted)
        if !accepted {
            #expect(
                throws: AuditLogError.invalidEvent(
                    index: 0, .observedInFuture(observed: note.observedAt!, recorded: clock.now()))
            ) {
                try result.get()
            }
            #expect(
                Self.refusal(store, note)
                    == "event 1: observed_at \(note.observedAt!) is 5 s after this computer's clock (\(clock.now())); "
                    + "a time may not run more than 5 s ahead of it")
        }
    }

    @Test func pausesOnTimesTypedLongAfterAreUnverifiable() throws {
        let drafts = ScenarioBuilder(stackCount: 3).build().drafts
        let live = try Rules.evaluate(site: "site-1", events: logged(drafts)).first { $0.rule == "power.on-order" }
        #expect(live?.verdict == .pass)
        let imported = try #require(
            try Rules.evaluate(site: "site-1", events: importedLater(drafts)).first { $0.rule == "power.on-order" })
        #expect(imported.verdict == .unverifiable)
        #expect(imported.message.contains("pause between S3 and S2"))
        #expect(imported.message.contains("rests on observed times"))
        // A pause too short fails whatever the clocks: the claim itself is of a short pause.
        let short = ScenarioBuilder(stackCount: 3, deviation: .shortPause).build().drafts
        let finding = try Rules.evaluate(site: "site-1", events: importedLater(short)).first {
            $0.rule == "power.on-order"
        }
        #expect(finding?.verdict == .fail)
    }

    @Test(
        "errors.none-open judges each stack's last reading",
        arguments: [(["ERROR 19", "3"], Verdict.pass), (["3", "ERROR 19"], .fail)])
    func lastReading(codes: [String], verdict: Verdict) throws {
        let (store, clock, _) = try Self.site()
        for code in codes {
            clock.advance(milliseconds: 1_000)
            _ = try store.append(
                [Self.draft(.lcdObserved(LCDObserved(code: try LCDCode(parsing: code))), stack: "S2", at: clock)])
        }
        let finding = try Self.finding("errors.none-open", store)
        #expect(finding.verdict == verdict)
        if verdict == .fail { #expect(finding.message.hasPrefix("S2 still shows ERROR 19 (event ")) }
    }

    @Test func aMistypedOriginalCorrectedInTimeRestoresOneMaster() throws {
        var drafts = ScenarioBuilder(stackCount: 2, deviation: .mistypedOriginal).build().drafts
        // The technician notices the typo before isolating: a correction names the wrong original.
        let typo = drafts.firstIndex { $0.type == "dip.observed" && $0.stack == "S2" && $0.data["bank"] == "addr" }!
        let restore = drafts.lastIndex { $0.type == "dip.observed" && $0.stack == "S2" && $0.data["bank"] == "addr" }!
        let right = DomainEvent.dipObserved(DIPObserved(bank: .addr, position: try DIPPosition(parsing: "DUDDDD")))
        drafts[restore].data = right.data
        let correction = right.draft(
            site: "site-1", stack: "S2", observedAt: drafts[typo].observedAt, actor: "tech",
            correcting: CorrectionMark(corrects: Int64(typo + 1), reason: "typed UDDDDD for DUDDDD"))
        drafts.insert(correction, at: typo + 1)
        let store = try liveStore(drafts)
        let events = try store.events(site: "site-1")
        let state = try SiteProjection.rebuild(site: "site-1", events: events)
        #expect(state.stack("S2")?.addr.original?.value.description == "DUDDDD")
        #expect(state.stack("S2")?.addr.original?.seq == Int64(typo + 1))
        #expect(state.corrections.count == 1)
        let listed = try #require(state.corrections.first)
        #expect(listed.corrects == Int64(typo + 1))
        #expect(listed.seq == Int64(typo + 2))
        #expect(listed.recorded["position"] == "UDDDDD")
        #expect(listed.corrected["position"] == "DUDDDD")
        #expect(listed.reason == "typed UDDDDD for DUDDDD")
        #expect(listed.actor == "tech")
        for finding in Rules.evaluate(state) { #expect(finding.verdict == .pass, "\(finding)") }
        // The live fold, applying the correction last, agrees with the rebuild.
        var fold = SiteFold(site: "site-1")
        for event in events { try fold.apply(event) }
        #expect(fold.state == state)
        #expect(try SiteProjection.rebuildAll(events: events)["site-1"] == state)
    }

    @Test func theTwoMasterRunFails() throws {
        let events = try logged(ScenarioBuilder(stackCount: 2, deviation: .mistypedOriginal).build().drafts)
        let finding = try #require(
            try Rules.evaluate(site: "site-1", events: events).first {
                $0.rule == "dip.addr-parallel-valid"
            })
        #expect(finding.verdict == .fail)
        #expect(finding.message.hasSuffix("are all masters (UDDDDD)"))
        #expect(finding.message.hasPrefix("S1 (event "))
    }

    @Test func aLateCorrectionIsNamedWithTheVerdictItChanged() throws {
        let (store, clock, drafts) = try Self.site()
        // After completion, S2's final ADDR is "corrected" to the master's: two verdicts flip.
        let last = try store.events(site: "site-1").last {
            $0.type == "dip.observed" && $0.stack == "S2" && $0.payload.contains("addr")
        }!
        clock.advance(milliseconds: 60_000)
        let late = Self.draft(
            .dipObserved(DIPObserved(bank: .addr, position: .master(pins: 6))), stack: "S2", at: clock,
            correcting: CorrectionMark(corrects: last.seq, reason: "misread"))
        let seq = try store.append([late], guard: SiteAdmission.check)[0].seq
        let finding = try Self.finding("record.no-late-entries", store)
        #expect(finding.verdict == .fail)
        #expect(finding.evidence == [seq])
        #expect(
            finding.message
                == "recorded after procedure.completed (event \(drafts.count)): event \(seq); they changed "
                + "dip.addr-restored (pass without them, fail with them), dip.addr-parallel-valid (pass without them, "
                + "fail with them)")
        let state = try SiteProjection.rebuild(site: "site-1", events: store.events(site: "site-1"))
        #expect(state.lateEntries.map(\.seq) == [seq])
        #expect(state.lateEntries.first?.corrects == last.seq)
        #expect(state.lateEntries.first?.type == .dipObserved)
        #expect(Rules.lateEntryEffects(state).map(\.rule) == ["dip.addr-restored", "dip.addr-parallel-valid"])
    }

    @Test func aLateNoteChangesNoVerdictButIsStillNamed() throws {
        let (store, clock, _) = try Self.site()
        let seq = try store.append([Self.draft(.noteAdded(NoteAdded(text: "forgot")), stack: nil, at: clock)])[0].seq
        let finding = try Self.finding("record.no-late-entries", store)
        #expect(finding.verdict == .fail)
        #expect(finding.message.hasSuffix("event \(seq); no verdict changed"))
    }

    struct CorrectionCase: Sendable, CustomTestStringConvertible {
        var name: String
        var corrects: Int64
        var event: DomainEvent
        var stack: String?
        var message: String
        var testDescription: String { name }
    }

    static let power = DomainEvent.powerObserved(PowerObserved(state: .off))

    @Test(
        "a correction names an uncorrected observation of its own type and stack",
        arguments: [
            CorrectionCase(
                name: "unknown seq", corrects: 999, event: power, stack: "S1",
                message: "cannot correct event 999: it is not an event of site 'site-1'"),
            CorrectionCase(
                name: "other type", corrects: 4, event: power, stack: "S1",
                message: "cannot correct event 4: it is a firmware.version_observed, not a power.observed"),
            CorrectionCase(
                name: "other stack", corrects: 3, event: power, stack: "S2",
                message: "cannot correct event 3: it is about S1, not S2"),
            CorrectionCase(
                name: "a step", corrects: 19, event: .stepCompleted(StepCompleted(step: "isolate.power-off")),
                stack: nil,
                message:
                    "step.completed: 'corrects' is not allowed on step.completed: only observations can be corrected"),
        ])
    func correctionRefusals(_ refused: CorrectionCase) throws {
        let (store, clock, _) = try Self.site()
        let draft = Self.draft(
            refused.event, stack: refused.stack, at: clock,
            correcting: CorrectionMark(corrects: refused.corrects, reason: "typo"))
        #expect(Self.refusal(store, draft) == refused.message)
    }

    @Test func aCorrectionOfACorrectionIsRefused() throws {
        let (store, clock, _) = try Self.site()
        let first = Self.draft(
            .powerObserved(PowerObserved(state: .on)), stack: "S1", at: clock,
            correcting: CorrectionMark(corrects: 3, reason: "typo"))
        let seq = try store.append([first], guard: SiteAdmission.check)[0].seq
        let second = Self.draft(
            .powerObserved(PowerObserved(state: .on)), stack: "S1", at: clock,
            correcting: CorrectionMark(corrects: seq, reason: "again"))
        #expect(
            Self.refusal(store, second)
                == "cannot correct event \(seq): it is itself a correction; correct event 3 again instead")
    }

    static let marks: [(JSONValue, String)] = [
        (
            ["v": 1, "state": "on", "corrects": 0, "reason": "x"],
            "'corrects' must be the seq of an earlier event, not 0"
        ),
        (["v": 1, "state": "on", "corrects": 3], "'reason' is missing"),
        (["v": 1, "state": "on", "corrects": 3, "reason": " "], "'reason' must say why"),
    ]

    @Test("a correction must say which seq and why", arguments: marks)
    func malformedMarks(data: JSONValue, message: String) {
        #expect(throws: DomainError.invalidPayload(type: "power.observed", reason: message)) {
            try DomainEvent.decodeMarked(type: "power.observed", data: data)
        }
    }

    @Test func anAddressTableMustNameTheMasterOnce() throws {
        let procedure = try Procedure.load(id: "stacks-in-parallel")
        let table = try #require(procedure.addressTable(pins: 6))
        #expect(table.master == "UDDDDD")
        #expect(table.address(of: try DIPPosition(parsing: "DUDDDD")) == 2)
        #expect(table.address(of: try DIPPosition(parsing: "UUUUUU")) == nil)
        func file(_ addresses: String) -> String {
            """
            {"id": "p", "version": "1", "title": "t", "source": {"title": "s", "modified": "1", "modified_text": "m"},
             "address_tables": [{"addr_pins": 2, "addresses": [\(addresses)]}], "phases": []}
            """
        }
        #expect(
            throws: DomainError.invalidProcedure(name: "p.json", reason: "address table for 2 pins has no address 1")
        ) {
            try Procedure.decode(name: "p.json", contents: file(#"{"address": 2, "position": "DU"}"#))
        }
        #expect(
            throws: DomainError.invalidProcedure(
                name: "p.json", reason: "address table: address 2 or UD is given twice")
        ) {
            try Procedure.decode(
                name: "p.json",
                contents: file(#"{"address": 1, "position": "UD"}, {"address": 2, "position": "UD"}"#))
        }
    }
}
