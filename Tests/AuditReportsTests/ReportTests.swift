import AuditCrypto
import AuditDomain
import AuditLog
import AuditTestSupport
import Foundation
import Testing

@testable import AuditReports

/// A scenario logged into a fresh SQLite file, reported and signed in-process.
struct ReportFixture: ~Copyable {
    let temporary: TemporaryDirectory
    let store: SQLiteEventStore
    let key: Ed25519PrivateKey

    var directory: URL { temporary.url }

    init(site: String = "site-1", deviation: Deviation? = nil) throws {
        let temporary = try TemporaryDirectory(prefix: "audit-reports")
        let clock = ManualClock(Timestamp(rfc3339: "2026-01-01T00:00:00Z")!)
        let store = try SQLiteEventStore.create(at: temporary.path("audit.db"), clock: clock)
        try ScenarioBuilder(site: site, deviation: deviation).build().record(into: store, clock: clock)
        key = try Ed25519PrivateKey.generate()
        self.store = store
        self.temporary = temporary
    }

    func report(site: String = "site-1") throws -> Report {
        try ReportBuilder.build(
            ReportBuilder.inputs(
                store: store, site: site, key: key,
                clock: ManualClock(Timestamp(rfc3339: "2026-02-01T12:00:00Z")!)))
    }
}

@Suite struct ReportTests {
    @Test func aCorrectRunPassesWithEveryStackRestored() throws {
        let fixture = try ReportFixture()
        let report = try fixture.report()
        #expect(report.verdict == .pass)
        #expect(report.findings.count == Rules.all.count)
        #expect(report.stacks.map(\.id) == ["S1", "S2", "S3"])
        #expect(report.stacks.allSatisfy { $0.addr.restored == true && $0.inv.restored == true })
        #expect(report.stacks.allSatisfy { $0.firmwareBefore == "4005" && $0.firmwareAfter == "4007" })
        #expect(report.procedure?.id == "stacks-in-parallel")
        #expect(report.procedure?.targetVersion == "4007")
        #expect(!report.timeline.isEmpty)
        #expect(report.timeline.allSatisfy { $0.title != $0.step })
        #expect(report.events.count == Int(report.checkpoint.size))
        #expect(report.events.allSatisfy { $0.verifies(against: report.checkpoint) })
    }

    @Test func aSkippedAddrRestoreFailsAndShowsTheStackNotRestored() throws {
        let fixture = try ReportFixture(deviation: .skipAddrRestore)
        let report = try fixture.report()
        #expect(report.verdict == .fail)
        #expect(report.findings.first?.rule == "dip.addr-restored")
        // The last slave left on the master's address is also a second master.
        #expect(report.failingFindings.map(\.rule) == ["dip.addr-restored", "dip.addr-parallel-valid"])
        #expect(report.stacks.contains { $0.addr.restored == false })
        let html = try HTMLRenderer.render(report)
        #expect(html.contains("<strong>FAIL</strong>"))
        #expect(html.contains("NOT restored"))
    }

    @Test func aSiteWithNoStackIsUnverifiableNotPass() throws {
        let fixture = try ReportFixture()
        _ = try fixture.store.append(
            DomainEvent.noteAdded(NoteAdded(text: "arrived, nothing done yet"))
                .draft(site: "site-9", stack: nil, observedAt: nil, actor: "tester"))
        let report = try fixture.report(site: "site-9")
        #expect(report.verdict == .unverifiable)
        #expect(report.stacks.isEmpty)
        #expect(report.procedure == nil)
        let html = try HTMLRenderer.render(report)
        #expect(html.contains("<strong>UNVERIFIABLE</strong>"))
        #expect(html.contains("No procedure step was recorded as completed."))
        #expect(report.json["procedure"] == .null)
    }

    @Test func overallVerdictIsTheWorstFinding() {
        func finding(_ verdict: Verdict) -> Finding {
            Finding(rule: "r", title: "t", verdict: verdict, message: "", evidence: [])
        }
        #expect(Verdict.overall([finding(.pass), finding(.pass)]) == .pass)
        #expect(Verdict.overall([finding(.pass), finding(.unverifiable)]) == .unverifiable)
        #expect(Verdict.overall([finding(.unverifiable), finding(.fail), finding(.pass)]) == .fail)
        #expect(Verdict.overall([]) == .unverifiable)
    }

    @Test func signedBytesAreCanonicalAndVerifyInProcess() throws {
        let fixture = try ReportFixture(deviation: .cableNotRestored)
        let signed = try ReportSigner.sign(try fixture.report(), with: fixture.key)
        #expect(try JSONValue(parsing: signed.json).canonicalText.utf8.elementsEqual(signed.json))
        let verified = try ReportVerifier.verify(
            json: signed.json, signature: signed.signature, publicKey: fixture.key.publicKey)
        #expect(verified == signed.report)
        try ReportVerifier.checkComplete(try ReportInputs(json: JSONValue(parsing: signed.json)), in: fixture.store)
    }

    @Test func anotherKeyCannotSignAReportNamingThisOne() throws {
        let fixture = try ReportFixture()
        #expect(throws: ReportError.self) { try ReportSigner.sign(try fixture.report(), with: .generate()) }
    }

    @Test func hostileValuesAreEscapedInTheHTML() throws {
        let site = #"<script>alert("x")</script>&'"#
        let fixture = try ReportFixture(site: site)
        let html = try HTMLRenderer.render(try fixture.report(site: site))
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"))
    }

    @Test func anUnknownSiteIsRefused() throws {
        let fixture = try ReportFixture()
        #expect(throws: ReportError.unknownSite("elsewhere")) { try fixture.report(site: "elsewhere") }
    }

    @Test(arguments: [
        ("site-1", "site-1"), ("Depot 7/North", "Depot%207%2FNorth"), ("..", "%2E%2E"), ("", "%"),
        ("Zürich", "Z%C3%BCrich"), ("x/../../escaped", "x%2F%2E%2E%2F%2E%2E%2Fescaped"),
    ])
    func defaultFolderNamesCannotEscapeTheCurrentDirectory(site: String, name: String) {
        #expect(ReportDirectory.defaultName(site: site) == name)
    }

    @Test func aLongSiteNameIsShortenedAndHashedSoDistinctSitesStayDistinct() {
        let first = ReportDirectory.defaultName(site: String(repeating: "a", count: 249) + "b")
        let second = ReportDirectory.defaultName(site: String(repeating: "a", count: 249) + "c")
        #expect(first.utf8.count == SiteFileName.maximumLength)
        #expect(first != second)
        #expect(first.hasPrefix(String(repeating: "a", count: 100)))
    }
}
