import AuditDomain
import AuditLog
import AuditTestSupport
import Foundation
import Testing

/// A log holding one complete run of the procedure, made by the domain's ScenarioBuilder.
func makeScenarioLog(
    in scratch: borrowing TemporaryDirectory, site: String = "site-1", deviation: Deviation? = nil,
    name: String = "audit.db"
) throws -> String {
    let db = scratch.path(name)
    // Recorded as a live run would be: a batch import would make the power-on pauses rest on claimed times.
    let clock = ManualClock(Timestamp(rfc3339: "2026-01-01T00:00:00Z")!)
    let store = try SQLiteEventStore.create(at: db, clock: clock)
    try ScenarioBuilder(site: site, deviation: deviation).build().record(into: store, clock: clock)
    return db
}

/// A key pair made by `audit keygen` in `scratch/keys`.
func makeKeys(in scratch: borrowing TemporaryDirectory, folder: String = "keys") async throws -> (
    privateKey: String, publicKey: String
) {
    let directory = scratch.path(folder)
    let result = try await CLI.audit(["keygen", "--out", directory])
    #expect(result.status == 0, "\(result.stderr)")
    return (directory + "/signing-key.pem", directory + "/signing-key.pub.pem")
}

/// Runs `audit report` and expects success; returns the report folder.
func makeReport(
    db: String, site: String = "site-1", key: String, in scratch: borrowing TemporaryDirectory,
    folder: String = "report"
) async throws -> String {
    let out = scratch.path(folder)
    let result = try await CLI.audit(["report", "--db", db, "--site", site, "--key", key, "--out", out])
    #expect(result.status == 0, "\(result.stderr)")
    return out
}

/// Edits report.json with python3 and writes it back as canonical JSON (sorted keys, no spaces).
func editReport(_ directory: String, _ python: String) async throws {
    let script = """
        import json, sys
        path = sys.argv[1] + "/report.json"
        report = json.load(open(path, encoding="utf-8"))
        \(python)
        open(path, "w", encoding="utf-8").write(json.dumps(report, sort_keys=True, separators=(",", ":"), ensure_ascii=False))
        """
    let result = try await CLI.run("python3", ["-c", script, directory])
    #expect(result.status == 0, "\(result.stderr)")
}

/// Re-signs report.json with stock openssl, as a signer who holds the key but lies would.
func resign(_ directory: String, key: String) async throws {
    let result = try await CLI.run(
        "openssl",
        [
            "pkeyutl", "-sign", "-rawin", "-inkey", key, "-in", directory + "/report.json", "-out",
            directory + "/report.json.sig",
        ])
    #expect(result.status == 0, "\(result.stderr)")
}
