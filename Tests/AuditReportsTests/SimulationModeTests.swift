import AuditDomain
import AuditLog
import Testing

@testable import AuditReports

/// A simulated run can never pass for a visit: the JSON says so, and the page has no verdict colour.
@Suite struct SimulationModeTests {
    @Test(arguments: [
        (PushTransport?.some(.sim), ReportMode.simulation), (.manual, .visit), (.command, .visit), (nil, .notRecorded),
    ])
    func theModeFollowsTheRecordedTransport(transport: PushTransport?, mode: ReportMode) {
        #expect(ReportMode(transport) == mode)
    }

    @Test func aTransportSurvivesThePayloadRoundTrip() throws {
        let started = ProcedureStarted(
            procedureID: "p", procedureVersion: "1", targetVersion: "4007",
            imageSHA256: String(repeating: "a", count: 64),
            imageName: "i.bin", transport: .sim, deviceModel: "BMS-6")
        let draft = DomainEvent.procedureStarted(started).draft(site: "s", stack: nil, observedAt: nil, actor: "a")
        let text = draft.data.canonicalText
        #expect(text.contains(#""transport":"sim""#))
        #expect(text.contains(#""device_model":"BMS-6""#))
        let event = try DomainEvent.decode(type: "procedure.started", data: draft.data)
        let decoded = try #require(
            {
                if case .procedureStarted(let payload) = event { return payload }
                return nil
            }() as ProcedureStarted?)
        #expect(decoded.transport == .sim)
        #expect(decoded.deviceModel == "BMS-6")
    }

    @Test func anUnknownTransportIsRefused() {
        let data: JSONValue = [
            "procedure_id": "p", "procedure_version": "1", "target_version": "4007", "image_sha256": "x",
            "image_name": "i", "transport": "teleport",
        ]
        #expect(throws: DomainError.self) { try DomainEvent.decode(type: "procedure.started", data: data) }
    }

    @Test func aSimulatedReportSaysSoInTheJSONAndOnThePage() throws {
        let fixture = try ReportFixture()
        var report = try fixture.report()
        report.mode = .simulation
        #expect(report.json["mode"]?.stringValue == "simulation")
        let html = try HTMLRenderer.render(report)
        #expect(html.contains(#"<div class="banner simulated""#))
        #expect(html.contains("<strong>SIMULATED</strong>"))
        #expect(!html.contains("<strong>PASS</strong>"))
        #expect(html.contains("<title>SIMULATED"))
    }

    @Test func aHandRecordedScenarioDoesNotClaimToBeAVisit() throws {
        let fixture = try ReportFixture()
        let report = try fixture.report()
        #expect(report.mode == .notRecorded)
        #expect(report.json["mode"]?.stringValue == "not-recorded")
    }
}
