import AuditTestSupport
import Foundation
import Testing

/// Falsified reports and logs through the binary: exit statuses, the one stderr line, and the real openssl and
/// python3 checkers. Every way of falsifying is tested in-process in AuditReportsTests.ReportTamperTests.
@Suite struct ReportTamperTests {
    /// A failing run (ADDR of one stack left as master), its keys and its signed report.
    struct Fixture: ~Copyable {
        let scratch: TemporaryDirectory
        let db: String
        let keys: (privateKey: String, publicKey: String)
        let report: String

        init() async throws {
            let scratch = try TemporaryDirectory()
            let db = try makeScenarioLog(in: scratch, deviation: .skipAddrRestore)
            let keys = try await makeKeys(in: scratch)
            report = try await makeReport(db: db, key: keys.privateKey, in: scratch)
            self.db = db
            self.keys = keys
            self.scratch = scratch
        }

        func verifyReport(publicKey: String? = nil) async throws -> ProcessResult {
            try await CLI.audit(["verify-report", report, "--pubkey", publicKey ?? keys.publicKey])
        }

        func verifyLog() async throws -> ProcessResult {
            try await CLI.audit(["verify", "--db", db, "--against", report + "/report.json"])
        }
    }

    @Test func anUntouchedReportAndLogVerify() async throws {
        let fixture = try await Fixture()
        #expect(try await fixture.verifyReport().status == 0)
        let log = try await fixture.verifyLog()
        #expect(log.status == 0, "\(log.stderr)")
        #expect(log.stdoutLines.contains { $0.hasPrefix("matches the report: its ") })
        #expect(log.stdoutLines.last == "note: the report's signature was not checked; give --pubkey to check it")
        let signed = try await CLI.audit(
            [
                "verify", "--db", fixture.db, "--against", fixture.report + "/report.json", "--pubkey",
                fixture.keys.publicKey,
            ])
        #expect(signed.status == 0, "\(signed.stderr)")
        #expect(signed.stdoutLines.last?.hasPrefix("matches the report: its ") == true)
    }

    @Test func anEditedReportIsRefusedByVerifyAgainstWhenTheKeyIsGiven() async throws {
        let fixture = try await Fixture()
        try await editReport(fixture.report, #"report["verdict"] = "pass""#)
        let result = try await CLI.audit(
            [
                "verify", "--db", fixture.db, "--against", fixture.report + "/report.json", "--pubkey",
                fixture.keys.publicKey,
            ])
        expectOneLineError(result, contains: "the report itself does not verify: signature does not match report.json")
    }

    @Test func anEditedReportIsRefusedBySignature() async throws {
        let fixture = try await Fixture()
        try await editReport(fixture.report, #"report["verdict"] = "pass""#)
        expectOneLineError(try await fixture.verifyReport(), contains: "audit: signature does not match report.json\n")
        let script = try await CLI.run(
            ReportCommandTests.verifySignatureScript, [fixture.report, fixture.keys.publicKey])
        #expect(script.status == 1)
        #expect(script.stdout == "FAILED\n")
    }

    /// tools/verify-report-proofs.py re-checks hashes and proofs with Python's standard library alone.
    @Test func theStdlibPythonCheckerAgreesOnAGoodReportAndRefusesAnAlteredProof() async throws {
        let fixture = try await Fixture()
        let script = ReportCommandTests.toolPath("verify-report-proofs.py")
        let good = try await CLI.run("python3", [script, fixture.report])
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.hasPrefix("OK: 86 events proven against root "))
        try await editReport(
            fixture.report,
            #"p = report["events"][11]["proof"]; p[1] = ("0" if p[1][0] != "0" else "1") + p[1][1:]"#)
        let bad = try await CLI.run("python3", [script, fixture.report])
        #expect(bad.status == 1)
        #expect(bad.stdout == "FAILED: event seq 12: inclusion proof does not verify against the checkpoint root\n")
    }

    @Test func aLogTruncatedAfterReportingIsRefused() async throws {
        let fixture = try await Fixture()
        let sql = TamperTests.dropTriggers + "DELETE FROM events WHERE seq > 80"
        #expect(try await CLI.sqlite(fixture.db, sql).status == 0)
        #expect(try await CLI.audit(["verify", "--db", fixture.db]).status == 0)
        expectOneLineError(
            try await fixture.verifyLog(),
            contains:
                "the log no longer matches the report: the log was truncated: the checkpoint covers 86 events, the log now has 80"
        )
    }

    @Test func aReportOfAnotherLogIsRefused() async throws {
        let fixture = try await Fixture()
        let other = try makeScenarioLog(in: fixture.scratch, name: "other.db")
        let result = try await CLI.audit(["verify", "--db", other, "--against", fixture.report + "/report.json"])
        expectOneLineError(result, contains: "the report is of log ")
    }

    @Test func missingFilesAreNamed() async throws {
        let fixture = try await Fixture()
        try FileManager.default.removeItem(atPath: fixture.report + "/report.json.sig")
        expectOneLineError(
            try await fixture.verifyReport(),
            contains: "read \(fixture.report)/report.json.sig failed: missing or unreadable"
        )
        let missing = fixture.scratch.path("nowhere/report.json")
        expectOneLineError(
            try await CLI.audit(["verify", "--db", fixture.db, "--against", missing]),
            contains: "\(missing) is missing or unreadable")
    }
}
