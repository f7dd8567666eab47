import AuditDomain
import AuditLog
import Testing

@testable import AuditReports

/// The readings timeline, the visits and the evidence links a warranty claim is read by.
@Suite struct ReadingsTests {
    @Test func everyEventIsAReadingAndEveryEvidenceSeqLinksToOne() throws {
        let fixture = try ReportFixture(deviation: .skipAddrRestore)
        let report = try fixture.report()
        #expect(report.readings.map(\.seq) == report.events.map(\.event.seq))
        #expect(report.readings.contains { $0.text == "LCD shows 62" })
        #expect(report.readings.contains { $0.text.hasPrefix("push completed: unit reads") })
        let html = try HTMLRenderer.render(report)
        for seq in Set(report.findings.flatMap(\.evidence)) {
            #expect(html.contains(##"<a href="#seq-\##(seq)">"##), "evidence seq \(seq) has no link")
            #expect(html.contains(##"<tr id="seq-\##(seq)">"##), "evidence seq \(seq) has no row")
        }
    }

    @Test func aCompletedRunIsOneVisitWithItsDurationAndActors() throws {
        let fixture = try ReportFixture()
        let report = try fixture.report()
        let visit = try #require(report.visits.first)
        #expect(report.visits.count == 1)
        #expect(visit.outcome == "completed")
        let end = try #require(visit.endedAt)
        #expect(visit.durationSeconds == (end.millisecondsSinceEpoch - visit.startedAt.millisecondsSinceEpoch) / 1000)
        #expect(!visit.actors.isEmpty)
        #expect(report.json["visits"]?.arrayValue?.count == 1)
    }

    @Test func aReopenedVisitIsASecondVisit() throws {
        func event(_ type: String, seq: Int64) -> LoggedEvent {
            let at = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000 + seq * 60_000)
            return LoggedEvent(
                seq: seq, eventID: "e\(seq)", site: "s", stack: nil, type: type, payload: "{}", observedAt: at,
                recordedAt: at, actor: "tech", prevHash: .zero, hash: .zero)
        }
        let types = ["procedure.started", "procedure.completed", "procedure.reopened", "note.added"]
        let visits = ReportBuilder.visits(types.enumerated().map { event($0.element, seq: Int64($0.offset + 1)) })
        #expect(visits.map(\.startSeq) == [1, 3])
        #expect(visits.map(\.outcome) == ["completed", "open"])
    }

    @Test func aTimeTypedFarFromTheLaptopClockIsMarked() throws {
        let fixture = try ReportFixture()
        let typed = try #require(Timestamp(rfc3339: "2020-01-01T00:00:00Z"))
        _ = try fixture.store.append(
            [
                DomainEvent.noteAdded(NoteAdded(text: "late note")).draft(
                    site: "site-1", stack: nil, observedAt: typed, actor: "tech")
            ], guard: nil)
        let report = try fixture.report()
        let reading = try #require(report.readings.last)
        #expect(reading.text == "note: late note")
        #expect((reading.clockGapSeconds ?? 0) < -60)
        #expect(try HTMLRenderer.render(report).contains(#"<span class="bad" title="recorded"#))
    }

    @Test(arguments: [(Int64(42), "42 s"), (185, "3 min 05 s"), (3720, "1 h 02 min"), (-90, "1 min 30 s")])
    func durationsReadAtAGlance(seconds: Int64, text: String) {
        #expect(HTMLRenderer.duration(seconds) == text)
    }
}
