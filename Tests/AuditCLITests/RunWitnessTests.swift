import AuditLog
import AuditTestSupport
import Foundation
import Testing

/// `audit run` with witnesses configured: a real `audit-server witness serve` process, up and down.
@Suite struct RunWitnessTests {
    func runArguments(_ db: String, _ image: String, site: String, key: String) -> [String] {
        [
            "run", "--db", db, "--site", site, "--firmware", image, "--target-version", "4007", "--transport", "sim",
            "--sim-stacks", "1", "--key", key,
        ]
    }

    /// A new log whose origin the witness state trusts; returns the log's path.
    func trustedLog(in scratch: borrowing TemporaryDirectory, key: String, state: String) async throws -> String {
        let db = scratch.path("audit.db")
        #expect(try await CLI.audit(["init", "--db", db]).status == 0)
        let shown = try await CLI.audit(["key", "show", "--db", db, "--key", key])
        let logVKey = try #require(shown.stdoutLines.last?.split(separator: " ").last.map(String.init))
        let origin = try #require(logVKey.split(separator: "+").first.map(String.init))
        let trusted = try await CLI.run(
            WitnessCommandTests.serverPath, ["witness", "trust", origin, logVKey, "--state", state])
        #expect(trusted.status == 0, "\(trusted.stderr)")
        return db
    }

    @Test func aRunWithAWitnessUpEndsWithTheLogsCheckpointCosigned() async throws {
        let scratch = try TemporaryDirectory()
        let keys = try await makeKeys(in: scratch)
        let witnessKeys = try await makeKeys(in: scratch, folder: "witness-keys")
        let state = scratch.path("witness.sqlite")
        let db = try await trustedLog(in: scratch, key: keys.privateKey, state: state)
        let image = try RunFixtures.image(in: scratch)
        // No witness configured: the run says nothing about witnessing.
        let unwitnessed = try await CLI.audit(runArguments(db, image, site: "before", key: keys.privateKey))
        #expect(unwitnessed.status == 0, "\(unwitnessed.stderr)")
        #expect(!unwitnessed.stdout.contains("witness"), "\(unwitnessed.stdout)")

        try await WitnessCommandTests.withWitness(state: state, key: witnessKeys.privateKey) { url, vkey in
            #expect(try await CLI.audit(["witness", "add", vkey, "--url", url, "--db", db]).status == 0)
            let name = try #require(vkey.split(separator: "+").first.map(String.init))
            let run = try await CLI.audit(runArguments(db, image, site: "site-a", key: keys.privateKey))
            #expect(run.status == 0, "\(run.stderr)")
            #expect(RunFixtures.verdicts(run.stdout).values.allSatisfy { $0 == "PASS" }, "\(run.stdout)")
            #expect(run.stderr.isEmpty, "\(run.stderr)")
            let size = try SQLiteEventStore.open(at: db).head().size
            #expect(run.stdout.contains("witnessed: size \(size) cosigned by \(name)"), "\(run.stdout)")
            #expect(!run.stdout.contains("not witnessed"))
        }
        let size = try SQLiteEventStore.open(at: db).head().size
        let cosigned = try SQLiteEventStore.open(at: db).cosignedCheckpoints()
        // One submission per step at most (12 steps), and the last one covers procedure.completed.
        #expect((1...13).contains(cosigned.count), "\(cosigned.count)")
        #expect(cosigned.last?.size == size)
        let witnessed = try await CLI.sqlite(state, "SELECT size FROM witnessed_tree")
        #expect(witnessed.stdout == "\(size)\n")
    }

    @Test func offlineTheRunCompletesAndOneSubmitCatchesUpWhenTheWitnessReturns() async throws {
        let scratch = try TemporaryDirectory()
        let keys = try await makeKeys(in: scratch)
        let witnessKeys = try await makeKeys(in: scratch, folder: "witness-keys")
        let state = scratch.path("witness.sqlite")
        let db = try await trustedLog(in: scratch, key: keys.privateKey, state: state)
        let image = try RunFixtures.image(in: scratch)
        // The witness is up once, long enough to be added and to give its port; then it is gone.
        var address = ""
        var name = ""
        try await WitnessCommandTests.withWitness(state: state, key: witnessKeys.privateKey) { url, vkey in
            #expect(try await CLI.audit(["witness", "add", vkey, "--url", url, "--db", db]).status == 0)
            address = String(url.dropFirst("http://".count))
            name = try #require(vkey.split(separator: "+").first.map(String.init))
        }

        let run = try await CLI.audit(runArguments(db, image, site: "site-a", key: keys.privateKey))
        #expect(run.status == 0, "\(run.stderr)")
        #expect(RunFixtures.verdicts(run.stdout).values.allSatisfy { $0 == "PASS" }, "\(run.stdout)")
        #expect(run.stderr.isEmpty, "\(run.stderr)")
        let witnessLines = run.stdout.split(separator: "\n").filter { $0.contains(name) }
        // One line when it was first found unreachable, one summary: never one per step.
        #expect(witnessLines.count == 2, "\(witnessLines)")
        #expect(witnessLines.first?.contains("is unreachable") == true)
        #expect(witnessLines.last?.hasPrefix("not witnessed: \(name) unreachable") == true)
        #expect(try await WitnessCommandTests.cosignedCount(db) == 0)
        #expect(try await CLI.audit(["verify", "--db", db]).status == 0)

        let offline = try await CLI.audit(["witness", "submit", "--db", db, "--key", keys.privateKey, "--timeout", "3"])
        expectOneLineError(offline, contains: "is unreachable")
        #expect(offline.status == 74)
        #expect(offline.stdout.isEmpty)

        // Back at the same address: a single submit catches up with the whole log.
        let size = try SQLiteEventStore.open(at: db).head().size
        try await WitnessCommandTests.withWitness(state: state, key: witnessKeys.privateKey, listen: address) {
            url, _ in
            #expect(url == "http://\(address)")
            let caughtUp = try await CLI.audit(["witness", "submit", "--db", db, "--key", keys.privateKey])
            #expect(caughtUp.status == 0, "\(caughtUp.stderr)")
            #expect(caughtUp.stdout.contains("size \(size) at "), "\(caughtUp.stdout)")
        }
        #expect(try await WitnessCommandTests.cosignedCount(db) == 1)
        let witnessed = try await CLI.sqlite(state, "SELECT size FROM witnessed_tree")
        #expect(witnessed.stdout == "\(size)\n")
    }
}
