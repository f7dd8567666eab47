import AuditCrypto
import AuditDomain
import AuditLog
import AuditReports
import AuditTestSupport
import Foundation
import Testing

/// Reports and the collector's key, with real processes: the collector signs a site's report with its own key,
/// and the cosignature `audit sync` stored verifies on the laptop's own report with `verify-report --witness`.
@Suite struct CollectorReportTests {
    /// A running collector and one laptop holding `sites`, enrolled as ann and synced in chunks of 9.
    static func synced(
        _ sites: [(String, Deviation?)],
        _ body: (_ scratch: String, CollectorFixture, Laptop, _ url: String, _ vkey: String) async throws -> Void
    ) async throws {
        let scratch = try TemporaryDirectory(prefix: "audit-collector-report")
        let collector = try await CollectorFixture.make(in: scratch)
        let laptop = try Laptop.make(in: scratch, sites: sites)
        try await collector.enroll("ann", publicKey: laptop.publicKey)
        let folder = scratch.url.path
        try await collector.serve { url, vkey in
            #expect(try await laptop.sync(to: url, extra: ["--chunk", "9"]).status == 0)
            try await body(folder, collector, laptop, url, vkey)
        }
    }

    @Test func theCollectorSignedReportVerifiesWithTheCollectorsKeyAndItsCosignature() async throws {
        try await Self.synced([("site-ok", nil), ("site-bad", .skipAddrRestore)]) {
            scratch, collector, laptop, url, vkey in
            let folder = scratch + "/collector-report"
            let written = try await Run.audit([
                "fleet", "--collector", url, "report", laptop.logID, "site-bad", "--out", folder,
            ])
            #expect(written.status == 0, "\(written.stderr)")
            #expect(written.stdout.contains("FAIL: site site-bad"), "\(written.stdout)")

            let verified = try await Run.audit([
                "verify-report", folder, "--pubkey", collector.publicKeyPath, "--witness", vkey,
            ])
            #expect(verified.status == 0, "\(verified.stderr)")
            #expect(verified.stdout.contains("verdict FAIL"), "\(verified.stdout)")
            #expect(verified.stdout.contains("witness policy met: 1 of 1"), "\(verified.stdout)")
            // The same verdict and findings the laptop's own report gives, from the same builder.
            let own = scratch + "/laptop-report"
            let report = try await Run.audit([
                "report", "--db", laptop.db, "--site", "site-bad", "--key", laptop.privateKey, "--out", own,
            ])
            #expect(report.status == 0, "\(report.stderr)")
            let theirs = try JSONValue(
                parsing: Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/report.json"))))
            let ours = try JSONValue(parsing: Array(try Data(contentsOf: URL(fileURLWithPath: own + "/report.json"))))
            #expect(theirs["findings"] == ours["findings"])
            #expect(theirs["verdict"] == "fail")

            // The laptop's key does not vouch for the collector's report: verify-report ties it to its signer.
            let wrongKey = try await Run.audit(["verify-report", folder, "--pubkey", laptop.publicKey])
            #expect(wrongKey.status == 1)
            #expect(wrongKey.stderrLines.count == 1, "\(wrongKey.stderr)")
            #expect(wrongKey.stderr.contains("signature does not match"), "\(wrongKey.stderr)")

            // A site the collector does not hold: 66, one line, no folder.
            let none = scratch + "/no-report"
            let missing = try await Run.audit([
                "fleet", "--collector", url, "report", laptop.logID, "nowhere", "--out", none,
            ])
            #expect(missing.status == 66)
            #expect(missing.stderrLines.count == 1, "\(missing.stderr)")
            #expect(missing.stderr.contains("no site 'nowhere'"), "\(missing.stderr)")
            #expect(!FileManager.default.fileExists(atPath: none))
        }
    }

    @Test func theCosignatureSyncStoredVerifiesOnTheLaptopsReportWithWitness() async throws {
        try await Self.synced([("site-1", nil)]) { scratch, _, laptop, url, vkey in
            let folder = scratch + "/report"
            let report = try await Run.audit([
                "report", "--db", laptop.db, "--site", "site-1", "--key", laptop.privateKey, "--out", folder,
            ])
            #expect(report.status == 0, "\(report.stderr)")
            #expect(report.stdout.contains("witnessed: checkpoint size"), "\(report.stdout)")
            let verified = try await Run.audit([
                "verify-report", folder, "--pubkey", laptop.publicKey, "--witness", vkey, "--format", "json",
            ])
            #expect(verified.status == 0, "\(verified.stderr)")
            let answer = try JSONValue(parsing: Array(verified.stdout.utf8))
            #expect(answer["witnessing"] == "witnessed")
            #expect(answer["cosignatures"]?.arrayValue?.first?["trusted"] == "policy")
            #expect(
                answer["cosignatures"]?.arrayValue?.first?["witness"]?.stringValue
                    == vkey.split(separator: "+").first.map(String.init))

            // A witness the report does not carry: the policy is not met.
            let other = try KeyLocation.generate(in: URL(fileURLWithPath: scratch + "/other-witness"))
            let otherKey = try NoteSigner(
                name: "other-witness", type: .cosignatureV1,
                privateKey: try KeyFiles.loadPrivateKey(at: other.privateKey)
            ).verifierKey.description
            let unmet = try await Run.audit([
                "verify-report", folder, "--pubkey", laptop.publicKey, "--witness", otherKey,
            ])
            #expect(unmet.status == 1)
            #expect(unmet.stderrLines.count == 1, "\(unmet.stderr)")
        }
    }
}
