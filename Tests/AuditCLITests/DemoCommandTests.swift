import AuditDomain
import AuditTestSupport
import Foundation
import Testing

@Suite struct DemoCommandTests {
    @Test func aCleanDemoPassesEveryRuleAndTheLogVerifies() async throws {
        let scratch = try TemporaryDirectory()
        let db = scratch.path("logs/audit.db")
        let result = try await CLI.audit(["demo", "--db", db])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        #expect(result.stdoutLines.first == "log: \(db)")
        let verdicts = RunFixtures.verdicts(result.stdout)
        #expect(verdicts.count == Rules.all.count)
        #expect(verdicts.values.allSatisfy { $0 == "PASS" }, "\(result.stdout)")
        #expect(result.stdoutLines.last?.hasPrefix("verdict: PASS") == true)
        #expect(try await CLI.audit(["verify", "--db", db]).status == 0)
        #expect(FileManager.default.fileExists(atPath: scratch.path("logs/demo-firmware-4007.bin")))
        #expect(FileManager.default.fileExists(atPath: db + ".site-demo.sim.json"))
    }

    /// Issue 9: a simulation is never a visit, so without --db it never goes into $AUDIT_DB or the default log.
    @Test func withoutDBTheDemoWritesANewTemporaryFolderAndLeavesAuditDBAlone() async throws {
        let scratch = try TemporaryDirectory()
        let db = scratch.path("env.db")
        let real = try await CLI.audit(["init", "--db", db])
        #expect(real.status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let environment = ["AUDIT_DB": db, "XDG_DATA_HOME": scratch.path("xdg"), "TMPDIR": scratch.path("")]
        let result = try await CLI.audit(["demo", "--stacks", "1"], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let line = try #require(result.stdoutLines.first)
        let log = String(line.dropFirst("log: ".count))
        #expect(line.hasPrefix("log: \(scratch.path("audit-demo-"))"), "\(line)")
        #expect(log.hasSuffix("/audit.db"))
        let folder = (log as NSString).deletingLastPathComponent
        #expect(FileManager.default.fileExists(atPath: folder + "/demo-firmware-4007.bin"))
        #expect(try await RunFixtures.eventCount(log) > 0)
        #expect(try await CLI.audit(["verify", "--db", log]).status == 0)
        #expect(try await RunFixtures.eventCount(db) == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
        #expect(!FileManager.default.fileExists(atPath: scratch.path("demo-firmware-4007.bin")))
        #expect(!FileManager.default.fileExists(atPath: scratch.path("xdg/audit")))
        // A second demo gets a folder of its own.
        let again = try await CLI.audit(["demo", "--stacks", "1"], environment: environment)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdoutLines.first != line)
    }

    @Test(arguments: [
        ("stale-version", "firmware.target-version"), ("skip-dip-restore", "dip.addr-restored"),
        ("wrong-power-order", "power.on-order"), ("power-cut-mid-push", "push.no-stalled"),
    ])
    func aFaultShowsAsItsFailingRule(fault: String, rule: String) async throws {
        let scratch = try TemporaryDirectory()
        let db = scratch.path("audit.db")
        let result = try await CLI.audit(["demo", "--db", db, "--fault", fault])
        // As `audit check`: the listing says it all, the status says fail, stderr stays empty.
        #expect(result.status == 1)
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        let verdicts = RunFixtures.verdicts(result.stdout)
        #expect(verdicts[rule] == "FAIL", "\(result.stdout)")
        #expect(result.stdoutLines.last?.hasPrefix("verdict: FAIL") == true)
        let firstRule = result.stdoutLines.first { $0.hasPrefix("PASS ") || $0.hasPrefix("FAIL ") }
        #expect(firstRule?.hasPrefix("FAIL ") == true, "failing rules come first")
        #expect(try await CLI.audit(["verify", "--db", db]).status == 0)
    }

    @Test func aRefusedPushIsRetriedAndSaidSo() async throws {
        let scratch = try TemporaryDirectory()
        let db = scratch.path("audit.db")
        let result = try await CLI.audit(["demo", "--db", db, "--fault", "push-fails"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("note: S3: 2 push attempts, last completed"), "\(result.stdout)")
        #expect(try await RunFixtures.eventCount(db, type: "firmware.push_failed") == 1)
        // The check itself carries the failed attempt, so the fault is visible in the audit record.
        let check = try await CLI.audit(["check", "--db", db, "--site", "demo"])
        let line = try #require(check.stdoutLines.first { $0.contains("push.no-stalled") })
        #expect(line.hasPrefix("PASS"))
        #expect(line.contains("retried after a failed attempt: S3 (event "), "\(line)")
    }

    @Test func aCompletedSiteIsRefused() async throws {
        let scratch = try TemporaryDirectory()
        let db = scratch.path("audit.db")
        #expect(try await CLI.audit(["demo", "--db", db, "--stacks", "1"]).status == 0)
        let again = try await CLI.audit(["demo", "--db", db, "--stacks", "1"])
        expectOneLineError(again, contains: "choose another --site")
        let other = try await CLI.audit(["demo", "--db", db, "--stacks", "1", "--site", "demo-2"])
        #expect(other.status == 0, "\(other.stderr)")
    }

    @Test func aNewLogLaysTheSimulatedSiteOutAnew() async throws {
        let scratch = try TemporaryDirectory()
        let db = scratch.path("audit.db")
        #expect(try await CLI.audit(["demo", "--db", db, "--stacks", "2"]).status == 0)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
        // The old site file says every stack already runs 4007 and no fault is left: it must not be reused.
        let again = try await CLI.audit(["demo", "--db", db, "--stacks", "2", "--fault", "stale-version"])
        #expect(again.status == 1)
        #expect(RunFixtures.verdicts(again.stdout)["firmware.target-version"] == "FAIL", "\(again.stdout)")
    }

    @Test func anUnknownFaultIsOneLine() async throws {
        let scratch = try TemporaryDirectory()
        let result = try await CLI.audit(["demo", "--db", scratch.path("audit.db"), "--fault", "gremlins"])
        expectOneLineError(result, contains: "unknown fault")
    }
}

/// A simulated run is reported as a simulation, through the binary, from demo to verify-report.
@Suite struct SimulationReportTests {
    @Test func aDemoReportIsASimulationInTheJSONOnThePageAndInVerifyReport() async throws {
        let scratch = try TemporaryDirectory()
        let db = scratch.path("audit.db")
        let demo = try await CLI.audit(["demo", "--db", db, "--site", "customer-site-42"])
        #expect(demo.status == 0, "\(demo.stderr)")
        let keys = try await makeKeys(in: scratch)
        let out = scratch.path("report")
        let report = try await CLI.audit([
            "report", "--db", db, "--site", "customer-site-42", "--key", keys.privateKey, "--out", out,
        ])
        #expect(report.status == 0, "\(report.stderr)")
        let json = try String(contentsOfFile: out + "/report.json", encoding: .utf8)
        #expect(json.contains(#""mode":"simulation""#))
        #expect(json.contains(#""transport":"sim""#))
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(html.contains("<strong>SIMULATED</strong>"))
        let verified = try await CLI.audit(["verify-report", out, "--pubkey", keys.publicKey])
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(verified.stdout.contains("SIMULATION: this report is of a simulated run"))
        let asJSON = try await CLI.audit(["verify-report", out, "--pubkey", keys.publicKey, "--format", "json"])
        #expect(asJSON.stdout.contains(#""mode":"simulation""#))
    }
}
