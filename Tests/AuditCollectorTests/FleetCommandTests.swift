import AuditLog
import AuditTestSupport
import Foundation
import Testing

/// `audit fleet` end to end: a real PostgreSQL, a real collector process, real `audit sync` and `audit fleet`.
@Suite struct FleetCommandTests {
    @Test func fleetQueriesEachFilterAndOneSiteInTextAndJSON() async throws {
        let scratch = try TemporaryDirectory(prefix: "audit-fleet")
        let collector = try await CollectorFixture.make(in: scratch)
        let ann = try Laptop.make(in: scratch, name: "ann", sites: [("site-ok", nil), ("site-bad", .skipAddrRestore)])
        let bob = try Laptop.make(in: scratch, name: "bob", sites: [("site-bob", nil)])
        try await collector.enroll("ann", publicKey: ann.publicKey)
        try await collector.enroll("bob", publicKey: bob.publicKey)
        try await collector.serve { url, _ in
            #expect(try await ann.sync(to: url).status == 0)
            #expect(try await bob.sync(to: url, installer: "bob").status == 0)
            func fleet(_ arguments: [String]) async throws -> [String] {
                let result = try await Run.audit(["fleet", "--collector", url] + arguments + ["--format", "json"])
                #expect(result.status == 0, "\(result.stderr)")
                return try result.stdout.split(separator: "\n").map {
                    try #require(try JSONValue(parsing: Array($0.utf8))["site"]?.stringValue)
                }
            }
            #expect(try await fleet([]) == ["site-bad", "site-bob", "site-ok"])
            #expect(try await fleet(["--failing", "dip.addr-restored"]) == ["site-bad"])
            #expect(try await fleet(["--verdict", "fail"]) == ["site-bad"])
            #expect(try await fleet(["--installer", "bob"]) == ["site-bob"])
            #expect(try await fleet(["--not-witnessed"]) == [])
            #expect(try await fleet(["--fork"]) == [])
            #expect(try await fleet(["--since", "2999-01-01T00:00:00Z"]) == [])
            #expect(try await fleet(["--until", "2999-01-01T00:00:00Z"]).count == 3)
            let firmware = try await Run.audit(["fleet", "--collector", url, "--format", "json"])
            let versions = try firmware.stdout.split(separator: "\n").flatMap {
                try JSONValue(parsing: Array($0.utf8))["firmware"]?.arrayValue?.compactMap(\.stringValue) ?? []
            }
            let version = try #require(versions.first)
            #expect(try await fleet(["--firmware", version]).count == 3)
            #expect(try await fleet(["--firmware", "no-such-version"]) == [])

            let text = try await Run.audit(["fleet", "--collector", url, "--failing", "dip.addr-restored"])
            #expect(text.status == 0, "\(text.stderr)")
            #expect(text.stdout.contains("site-bad") && text.stdout.contains("FAIL"), "\(text.stdout)")
            #expect(text.stdout.contains("1 site"), "\(text.stdout)")

            let site = try await Run.audit(["fleet", "--collector", url, "site", ann.logID, "site-bad"])
            #expect(site.status == 0, "\(site.stderr)")
            #expect(site.stdout.contains("FAIL: site site-bad"), "\(site.stdout)")
            #expect(site.stdout.contains("dip.addr-restored"), "\(site.stdout)")
            let json = try await Run.audit([
                "fleet", "--collector", url, "site", ann.logID, "site-bad", "--format", "json",
            ])
            let object = try JSONValue(parsing: Array(json.stdout.utf8))
            let local = try SQLiteEventStore.open(at: ann.db).events(site: "site-bad")
            #expect(object["events"]?.arrayValue?.count == local.count)
            #expect(object["site"]?["verdict"] == "fail")

            let missing = try await Run.audit(["fleet", "--collector", url, "site", ann.logID, "nowhere"])
            #expect(missing.status == 66)
            #expect(missing.stdout.isEmpty)
            #expect(missing.stderrLines.count == 1, "\(missing.stderr)")
            #expect(missing.stderr.contains("no site 'nowhere'"), "\(missing.stderr)")
            let bad = try await Run.audit(["fleet", "--collector", url, "--verdict", "maybe"])
            #expect(bad.status == 65)
            #expect(bad.stderrLines.count == 1, "\(bad.stderr)")
            #expect(bad.stderr.contains("the collector refused the query: "), "\(bad.stderr)")
            #expect(bad.stderr.contains("verdict is pass, fail"), "\(bad.stderr)")
        }
    }

    @Test func anUnreachableCollectorIsOneLineAndExit74() async throws {
        let port = try FreePort.pick()
        for arguments in [["--not-witnessed"], ["site", "log", "site"]] {
            let result = try await Run.audit(
                ["fleet", "--collector", "http://127.0.0.1:\(port)", "--timeout", "5"] + arguments)
            #expect(result.status == 74)
            #expect(result.stderrLines.count == 1, "\(result.stderr)")
            #expect(result.stderr.contains("unreachable"), "\(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
    }

    @Test func aBadSinceIsAUsageErrorBeforeAnyRequest() async throws {
        let result = try await Run.audit(["fleet", "--collector", "http://127.0.0.1:1", "--since", "yesterday"])
        #expect(result.status == 64)
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("RFC 3339"), "\(result.stderr)")
    }
}
