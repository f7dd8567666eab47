import AuditTestSupport
import Foundation
import Testing

/// `audit keygen`, `audit report` and what a report folder holds, through the built binary.
@Suite struct ReportCommandTests {
    @Test func keygenWritesAPrivateKeyOnly0600AndRefusesToOverwrite() async throws {
        let scratch = try TemporaryDirectory()
        let directory = scratch.path("keys")
        let first = try await CLI.audit(["keygen", "--out", directory])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdoutLines.count == 3)
        #expect(first.stdout.hasPrefix("key id "))
        #expect(first.stdout.contains(directory + "/signing-key.pem"))
        #expect(first.stdout.contains(directory + "/signing-key.pub.pem"))
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/signing-key.pem")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let before = try Data(contentsOf: URL(fileURLWithPath: directory + "/signing-key.pem"))
        let second = try await CLI.audit(["keygen", "--out", directory])
        expectOneLineError(second, contains: "refusing to overwrite existing key file")
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/signing-key.pem")) == before)
    }

    @Test func keygenDefaultsToTheXDGConfigDirectory() async throws {
        let scratch = try TemporaryDirectory()
        let result = try await CLI.audit(["keygen"], environment: ["XDG_CONFIG_HOME": scratch.path("config")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: scratch.path("config") + "/audit/signing-key.pub.pem"))
    }

    @Test func aPassingRunReportsPassAndOpenSSLAcceptsTheSignature() async throws {
        let scratch = try TemporaryDirectory()
        let db = try makeScenarioLog(in: scratch)
        let keys = try await makeKeys(in: scratch)
        let out = scratch.path("report")
        let result = try await CLI.audit([
            "report", "--db", db, "--site", "site-1", "--key", keys.privateKey, "--out", out,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("PASS: site site-1"))
        let names = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(names == ["proofs", "report.html", "report.json", "report.json.sig"])
        let signature = try Data(contentsOf: URL(fileURLWithPath: out + "/report.json.sig"))
        #expect(signature.count == 64)
        let openssl = try await CLI.run(
            "openssl",
            [
                "pkeyutl", "-verify", "-rawin", "-pubin", "-inkey", keys.publicKey, "-in", out + "/report.json",
                "-sigfile", out + "/report.json.sig",
            ])
        #expect(openssl.status == 0, "\(openssl.stdout)\(openssl.stderr)")
        #expect(openssl.stdout.contains("Signature Verified Successfully"))
        let script = try await CLI.run(Self.verifySignatureScript, [out, keys.publicKey])
        #expect(script.status == 0, "\(script.stderr)")
        #expect(script.stdout == "OK\n")
        let verified = try await CLI.audit(["verify-report", out, "--pubkey", keys.publicKey])
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(verified.stdout.hasPrefix("valid: report for site site-1"))
    }

    @Test func theHTMLOfAPassingRunShowsPassAndEveryStackRestored() async throws {
        let scratch = try TemporaryDirectory()
        let keys = try await makeKeys(in: scratch)
        let out = try await makeReport(db: try makeScenarioLog(in: scratch), key: keys.privateKey, in: scratch)
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(html.contains(#"data-verdict="pass""#))
        #expect(html.contains("<strong>PASS</strong>"))
        #expect(!html.contains("NOT restored"))
        for stack in ["S1", "S2", "S3"] { #expect(html.contains(#"<tr data-stack="\#(stack)">"#)) }
        #expect(!html.contains("<script"))
        #expect(!html.contains("http://") && !html.contains("https://"))
    }

    @Test func aFailingRunIsStillWrittenSaysFailPlainlyAndExitsZero() async throws {
        let scratch = try TemporaryDirectory()
        let db = try makeScenarioLog(in: scratch, deviation: .skipAddrRestore)
        let keys = try await makeKeys(in: scratch)
        let out = scratch.path("report")
        let result = try await CLI.audit([
            "report", "--db", db, "--site", "site-1", "--key", keys.privateKey, "--out", out,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("FAIL: site site-1 (2 rules fail: dip.addr-restored, dip.addr-parallel-valid)"))
        let json = try String(contentsOfFile: out + "/report.json", encoding: .utf8)
        #expect(json.contains(#""verdict":"fail""#))
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(html.contains(#"data-verdict="fail""#))
        #expect(html.contains("<strong>FAIL</strong>"))
        #expect(html.contains("The work FAILED 2 of"))
        // The failing rule is the first row of the rules table, and its stack's ADDR row says so.
        let firstRule = try #require(html.range(of: #"data-rule=""#)).upperBound
        #expect(html[firstRule...].hasPrefix("dip.addr-restored"))
        #expect(html.contains("NOT restored"))
        let verified = try await CLI.audit(["verify-report", out, "--pubkey", keys.publicKey, "--format", "json"])
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(verified.stdout.contains(#""verdict":"fail""#))
    }

    @Test func anUnknownSiteIsRefusedAndNothingIsWritten() async throws {
        let scratch = try TemporaryDirectory()
        let db = try makeScenarioLog(in: scratch)
        let keys = try await makeKeys(in: scratch)
        let out = scratch.path("report")
        let result = try await CLI.audit([
            "report", "--db", db, "--site", "nowhere", "--key", keys.privateKey, "--out", out,
        ])
        expectOneLineError(result, contains: "no events are recorded for site 'nowhere'")
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).sorted() == ["audit.db", "keys"])
    }

    @Test func aBrokenLogIsNeverReportedOn() async throws {
        let scratch = try TemporaryDirectory()
        let db = try makeScenarioLog(in: scratch)
        let keys = try await makeKeys(in: scratch)
        let sql = TamperTests.dropTriggers + "UPDATE events SET actor = 'someone-else' WHERE seq = 7"
        #expect(try await CLI.sqlite(db, sql).status == 0)
        let out = scratch.path("report")
        let result = try await CLI.audit([
            "report", "--db", db, "--site", "site-1", "--key", keys.privateKey, "--out", out,
        ])
        expectOneLineError(result, contains: "the log's chain is broken at seq 7: content changed")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func aMissingKeyIsRefused() async throws {
        let scratch = try TemporaryDirectory()
        let db = try makeScenarioLog(in: scratch)
        let out = scratch.path("report")
        let missing = scratch.path("nokey/signing-key.pem")
        expectOneLineError(
            try await CLI.audit(["report", "--db", db, "--site", "site-1", "--key", missing, "--out", out]),
            contains: "open \(missing) failed")
        // The default comes from $AUDIT_KEY.
        expectOneLineError(
            try await CLI.audit(
                ["report", "--db", db, "--site", "site-1", "--out", out], environment: ["AUDIT_KEY": missing]),
            contains: missing)
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func aKeyReadableByOthersIsRefused() async throws {
        let scratch = try TemporaryDirectory()
        let db = try makeScenarioLog(in: scratch)
        let keys = try await makeKeys(in: scratch)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: keys.privateKey)
        let out = scratch.path("report")
        let result = try await CLI.audit([
            "report", "--db", db, "--site", "site-1", "--key", keys.privateKey, "--out", out,
        ])
        expectOneLineError(result, contains: "has mode 0644")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func aNonEmptyOutputFolderIsRefusedAndAnEmptyOneIsUsed() async throws {
        let scratch = try TemporaryDirectory()
        let db = try makeScenarioLog(in: scratch)
        let keys = try await makeKeys(in: scratch)
        let out = scratch.path("report")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        _ = try await makeReport(db: db, key: keys.privateKey, in: scratch)
        let again = try await CLI.audit([
            "report", "--db", db, "--site", "site-1", "--key", keys.privateKey, "--out", out,
        ])
        expectOneLineError(again, contains: "already exists and is not empty")
    }

    @Test func theDefaultFolderIsNamedAfterTheSiteInTheCurrentDirectory() async throws {
        let scratch = try TemporaryDirectory()
        let db = try makeScenarioLog(in: scratch, site: "Depot 7/North")
        let keys = try await makeKeys(in: scratch)
        let result = try await CLI.run(
            "/bin/sh",
            [
                "-c", "cd \"$1\" && exec \"$2\" report --db \"$3\" --site 'Depot 7/North' --key \"$4\"", "sh",
                scratch.url.path, CLI.auditPath, db, keys.privateKey,
            ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: scratch.path("Depot%207%2FNorth/report.json")))
    }

    static var verifySignatureScript: String { toolPath("verify-signature.sh") }

    /// A script under the package's tools/ folder.
    static func toolPath(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appending(path: "tools/\(name)").path
    }

    @Test func aKeyThatIsAFIFOIsRefusedWithoutWaiting() async throws {
        let scratch = try TemporaryDirectory()
        let db = try makeScenarioLog(in: scratch)
        let fifo = scratch.path("key.fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        let result = try await CLI.audit([
            "report", "--db", db, "--site", "site-1", "--key", fifo, "--out", scratch.path("r"),
        ])
        expectOneLineError(result, contains: "not a regular file")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("r")))
    }
}
