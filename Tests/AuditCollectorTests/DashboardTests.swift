import AuditDomain
import AuditLog
import AuditTestSupport
import Foundation
import Testing

/// The auditors' page, loaded from the running collector by headless Chromium.
@Suite struct DashboardTests {
    @Test func chromiumRendersTheFleetWithEveryValueEscaped() async throws {
        let scratch = try TemporaryDirectory(prefix: "audit-dashboard")
        let collector = try await CollectorFixture.make(in: scratch)
        // A site name that is markup: the page must show it as text, never run or parse it.
        let hostile = "<script>document.title='owned'</script>"
        let laptop = try Laptop.make(in: scratch, sites: [("site-ok", nil), (hostile, .skipAddrRestore)])
        try await collector.enroll("ann", publicKey: laptop.publicKey)
        try await collector.serve { url, _ in
            #expect(try await laptop.sync(to: url).status == 0)
            let profile = scratch.path("chromium-profile")
            let shot = scratch.path("fleet.png")
            let common = [
                "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(profile)", "--no-first-run",
            ]
            let dom = try await Run.tool("chromium", common + ["--dump-dom", url + "/"])
            #expect(dom.status == 0, "\(dom.stderr)")
            #expect(dom.stdout.contains("<title>Fleet · audit collector</title>"))
            #expect(dom.stdout.components(separatedBy: "<tr class=\"site\">").count == 3)
            #expect(dom.stdout.contains("&lt;script&gt;document.title='owned'&lt;/script&gt;"))
            #expect(!dom.stdout.contains(hostile))
            #expect(dom.stdout.contains("dip.addr-restored"))
            #expect(dom.stdout.contains(#"class="verdict verdict-fail""#))
            let filtered = try await Run.tool("chromium", common + ["--dump-dom", url + "/?failing=dip.addr-restored"])
            #expect(filtered.stdout.components(separatedBy: "<tr class=\"site\">").count == 2)
            #expect(!filtered.stdout.contains("site-ok"))
            #expect(filtered.stdout.contains(#"value="dip.addr-restored""#))
            let page = try await Run.tool(
                "chromium", common + ["--dump-dom", url + "/sites/\(laptop.logID)/site-ok"])
            #expect(page.stdout.contains(#"<h1 id="site">site-ok</h1>"#), "\(page.stdout.prefix(400))")
            #expect(page.stdout.contains("procedure.started"))
            #expect(
                page.stdout.contains(
                    #"<a id="signed-report" href="/v1/logs/\#(laptop.logID)/sites/site-ok/report">Signed report</a>"#))
            // The link answers with the report the collector signs (its signature checked in CollectorReportTests).
            let signed = try await CollectorProcessTests.get(url + "/v1/logs/\(laptop.logID)/sites/site-ok/report")
            #expect(signed["signature"]?.stringValue?.count == 128)
            #expect(signed["report"]?.stringValue?.contains(#""site":"site-ok""#) == true)
            let screenshot = try await Run.tool(
                "chromium", common + ["--screenshot=\(shot)", "--window-size=1280,800", url + "/"])
            #expect(screenshot.status == 0, "\(screenshot.stderr)")
            #expect((try FileManager.default.attributesOfItem(atPath: shot)[.size] as? Int ?? 0) > 1000)
        }
    }
}
