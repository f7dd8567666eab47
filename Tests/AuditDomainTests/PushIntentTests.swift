import AuditDomain
import AuditLog
import AuditTestSupport
import Testing

@Suite struct PushIntentTests {
    @Test func aPushDefaultsToTheApprovedImageAndTarget() throws {
        let store = InMemoryEventStore()
        _ = try store.append(ScenarioBuilder(site: "s", stackCount: 2).build().drafts)
        let state = try SiteProjection.rebuild(site: "s", events: store.events(site: "s"))
        let intent = try state.pushIntent(imageSHA256: nil, targetVersion: nil, transport: "manual", attempt: 2)
        #expect(intent.imageSHA256 == state.procedure?.value.imageSHA256)
        #expect(intent.targetVersion == "4007")
        #expect(intent.attempt == 2)
        let given = try state.pushIntent(imageSHA256: "ab", targetVersion: "9", transport: "manual", attempt: 1)
        #expect(given.imageSHA256 == "ab" && given.targetVersion == "9")
    }

    @Test func withoutAProcedureTheIntentMustBeGiven() {
        let state = SiteState(site: "s")
        #expect(throws: AdmissionError.noProcedure(site: "s")) {
            try state.pushIntent(imageSHA256: nil, targetVersion: "4007", transport: "manual", attempt: 1)
        }
    }
}
