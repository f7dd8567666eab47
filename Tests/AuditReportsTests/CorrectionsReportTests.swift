import AuditCrypto
import AuditDomain
import AuditLog
import AuditTestSupport
import Testing

@testable import AuditReports

/// Corrections and late entries: each listed in its own section, in report.json and on the page.
@Suite struct CorrectionsReportTests {
    /// The last ADDR observation of the stack the skipped restore left on the master position, and its original.
    static func unrestored(_ report: Report) throws -> (seq: Int64, stack: String, original: String) {
        let stack = try #require(report.stacks.first { $0.addr.restored == false })
        let seq = try #require(
            report.events.map(\.event).last {
                $0.type == EventType.dipObserved.rawValue && $0.stack == stack.id && $0.payload.contains(#""addr""#)
            }?.seq)
        return (seq, stack.id, try #require(stack.addr.original))
    }

    @Test func aLateCorrectionIsListedAsACorrectionAndAsALateEntryNamingTheRulesItChanged() throws {
        let fixture = try ReportFixture(deviation: .skipAddrRestore)
        let target = try Self.unrestored(try fixture.report())
        let position = try DIPPosition(parsing: target.original)
        let result = try SiteLog(fixture.store).record(
            .dipObserved(DIPObserved(bank: .addr, position: position)), site: "site-1", stack: target.stack,
            actor: "corrector",
            correcting: CorrectionMark(corrects: target.seq, reason: "restore typed after the visit"))
        let report = try fixture.report()

        let correction = try #require(report.corrections.first)
        #expect(report.corrections.count == 1)
        #expect(correction.seq == result.seq)
        #expect(correction.corrects == target.seq)
        #expect(correction.stack == target.stack)
        #expect(correction.recorded == "ADDR DIP at UDDDDD")
        #expect(correction.corrected == "ADDR DIP at \(target.original)")
        #expect(correction.reason == "restore typed after the visit")
        #expect(correction.actor == "corrector")
        #expect(correction.late)

        let late = try #require(report.lateEntries.first)
        #expect(report.lateEntries.count == 1)
        #expect(late.seq == result.seq)
        #expect(late.corrects == target.seq)
        let restored = try #require(late.changedRules.first { $0.rule == "dip.addr-restored" })
        #expect(restored.before == .fail)
        #expect(restored.after == .pass)
        #expect(late.changedRules == Rules.lateEntryEffects(try SiteLog(fixture.store).state(site: "site-1")))
        #expect(report.findings.first { $0.rule == "record.no-late-entries" }?.verdict == .fail)

        let json = report.json
        #expect(json["corrections"]?.arrayValue?.first?["corrects"]?.integerValue == target.seq)
        // No booleans in report.json (FORMAT.md §R8.1): a late correction is told by its place in late_entries.
        #expect(json["corrections"]?.arrayValue?.first?["late"] == nil)
        #expect(json["late_entries"]?.arrayValue?.first?["seq"]?.integerValue == report.corrections.first?.seq)
        let rules = json["late_entries"]?.arrayValue?.first?["changed_rules"]?.arrayValue ?? []
        #expect(
            rules.contains { $0["rule"]?.stringValue == "dip.addr-restored" && $0["before"]?.stringValue == "fail" })

        let html = try HTMLRenderer.render(report)
        #expect(html.contains(#"<table id="corrections">"#))
        #expect(html.contains(#"<table id="late-entries">"#))
        #expect(html.contains("<code>dip.addr-restored</code>: fail → pass"))
        #expect(html.contains("restore typed after the visit"))

        // The verifier replays the same derivation, so the new fields are signed and re-checked.
        let signed = try ReportSigner.sign(report, with: fixture.key)
        let verified = try ReportVerifier.verify(
            json: signed.json, signature: signed.signature, publicKey: fixture.key.publicKey)
        #expect(verified.lateEntries == report.lateEntries)
    }

    @Test func aCorrectionDuringTheVisitIsNotLateAndALateNoteChangesNoRule() throws {
        let fixture = try ReportFixture()
        let clean = try fixture.report()
        #expect(clean.corrections.isEmpty)
        #expect(clean.lateEntries.isEmpty)
        let html = try HTMLRenderer.render(clean)
        #expect(!html.contains(#"id="corrections""#))
        #expect(!html.contains(#"id="late-entries""#))
        #expect(clean.json["corrections"]?.arrayValue?.isEmpty == true)
        #expect(clean.json["late_entries"]?.arrayValue?.isEmpty == true)

        let note = try SiteLog(fixture.store).record(
            .noteAdded(NoteAdded(text: "cabinet door sticks")), site: "site-1", actor: "tech")
        let report = try fixture.report()
        let late = try #require(report.lateEntries.first)
        #expect(late.seq == note.seq)
        #expect(late.text == "note: cabinet door sticks")
        #expect(late.changedRules.isEmpty)
        #expect(try HTMLRenderer.render(report).contains("no rule"))
    }
}

/// Issue 9: a site's generic events are embedded and read, and no longer make its report fail.
@Suite struct GenericEventReportTests {
    @Test func aSitesGenericEventsAreInItsEventsAndReadings() throws {
        let temporary = try TemporaryDirectory(prefix: "audit-reports")
        let clock = ManualClock(Timestamp(rfc3339: "2026-01-01T00:00:00Z")!)
        let store = try SQLiteEventStore.create(at: temporary.path("audit.db"), clock: clock)
        let generic = try SiteLog(store).append(
            EventDraft(site: "site-1", type: "cabinet.inspected", data: ["door": "sticks"], actor: "tech"))
        try ScenarioBuilder(site: "site-1").build().record(into: store, clock: clock)
        let key = try Ed25519PrivateKey.generate()
        let report = try ReportBuilder.build(ReportBuilder.inputs(store: store, site: "site-1", key: key))
        #expect(report.events.first?.event.seq == generic.seq)
        let reading = try #require(report.readings.first)
        #expect(reading.type == "cabinet.inspected")
        #expect(reading.text == #"cabinet.inspected {"door":"sticks"}"#)
        #expect(report.verdict != .fail)
        let signed = try ReportSigner.sign(report, with: key)
        #expect(
            try ReportVerifier.verify(json: signed.json, signature: signed.signature, publicKey: key.publicKey)
                == signed.report)
    }
}
