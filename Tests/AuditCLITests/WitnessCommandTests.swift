import AuditLog
import AuditTestSupport
import Foundation
import Subprocess
import Testing

/// A real `audit-server witness serve` process on 127.0.0.1 and the real `audit` binary talking to it.
@Suite struct WitnessCommandTests {
    /// The `audit-server` executable built next to `audit`.
    static let serverPath = URL(fileURLWithPath: CLI.auditPath).deletingLastPathComponent()
        .appending(path: "audit-server").path

    /// Runs a witness on `listen` (a free port of 127.0.0.1 by default) for the duration of `body`, then kills it
    /// with SIGKILL.
    static func withWitness(
        state: String, key: String, listen: String = "127.0.0.1:0",
        _ body: (_ url: String, _ vkey: String) async throws -> Void
    ) async throws {
        let result = try await Subprocess.run(
            .path(.init(serverPath)),
            arguments: ["witness", "serve", "--listen", listen, "--key", key, "--state", state],
            environment: CLI.environment(), input: .none, output: .sequence, error: .discarded
        ) { execution in
            var text = ""
            var iterator = execution.standardOutput.makeAsyncIterator()
            // The first two lines: the witness's verifier key, then the port it bound.
            while !text.contains("listening on ") || !text.hasSuffix("\n") {
                guard let buffer = try await iterator.next() else { break }
                text += buffer.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
            }
            let lines = text.split(separator: "\n").map(String.init)
            let vkey = try #require(lines.first { $0.hasPrefix("witness key ") }).dropFirst("witness key ".count)
            let address = try #require(lines.first { $0.hasPrefix("listening on ") }).dropFirst("listening on ".count)
            defer { try? execution.send(signal: .kill) }
            return try await body("http://\(address)", String(vkey))
        }
        #expect(result.terminationStatus == .signaled(SIGKILL))
    }

    /// Edits the payload of `seq` in a copy of a log and recomputes every later hash, as a key holder could.
    static func forge(_ db: String, seq: Int) async throws {
        let script = LogForgery.script
        let result = try await CLI.run("python3", ["-c", script, db, String(seq)])
        #expect(result.status == 0, "\(result.stderr)")
    }

    static func cosignedCount(_ db: String) async throws -> Int {
        Int(
            try await CLI.sqlite(db, "SELECT count(*) FROM cosigned_checkpoint").stdout.trimmingCharacters(
                in: .whitespacesAndNewlines)) ?? -1
    }

    @Test func aRealWitnessCosignsExtensionsAndRefusesARewrittenCopy() async throws {
        let scratch = try TemporaryDirectory()
        let db = scratch.path("audit.db")
        let keys = try await makeKeys(in: scratch)
        let witnessKeys = try await makeKeys(in: scratch, folder: "witness-keys")
        let state = scratch.path("witness.sqlite")
        #expect(try await CLI.audit(["demo", "--db", db, "--stacks", "1"]).status == 0)
        let shown = try await CLI.audit(["key", "show", "--db", db, "--key", keys.privateKey])
        let logVKey = try #require(shown.stdoutLines.last?.split(separator: " ").last.map(String.init))
        let origin = try #require(logVKey.split(separator: "+").first.map(String.init))
        let trusted = try await CLI.run(Self.serverPath, ["witness", "trust", origin, logVKey, "--state", state])
        #expect(trusted.status == 0, "\(trusted.stderr)")

        try await Self.withWitness(state: state, key: witnessKeys.privateKey) { url, vkey in
            let added = try await CLI.audit(["witness", "add", vkey, "--url", url, "--db", db])
            #expect(added.status == 0, "\(added.stderr)")
            let first = try await CLI.audit(["witness", "submit", "--db", db, "--key", keys.privateKey])
            #expect(first.status == 0, "\(first.stderr)")
            let size = try SQLiteEventStore.open(at: db).head().size
            #expect(first.stdout.contains("size \(size) at "))

            // The cosignature is plain Ed25519 over "cosignature/v1\ntime <t>\n" and the text: openssl agrees.
            let stored = try #require(try SQLiteEventStore.open(at: db).cosignedCheckpoints().last)
            let line = try #require(stored.note.signatures.last)
            let message = scratch.path("cosigned.txt")
            try Data(Cosignature.signedMessage(checkpointText: stored.note.text, timestamp: stored.cosignedAt))
                .write(to: URL(fileURLWithPath: message))
            let signature = scratch.path("cosigned.sig")
            try Data(line.bytes.dropFirst(8)).write(to: URL(fileURLWithPath: signature))
            let openssl = try await CLI.run(
                "openssl",
                [
                    "pkeyutl", "-verify", "-rawin", "-pubin", "-inkey", witnessKeys.publicKey, "-in", message,
                    "-sigfile", signature,
                ])
            #expect(openssl.status == 0, "\(openssl.stdout)\(openssl.stderr)")

            // The copy is made now: same log id, same key, one event edited and every later hash recomputed.
            let copy = scratch.path("forged.db")
            try FileManager.default.copyItem(atPath: db, toPath: copy)
            try await Self.forge(copy, seq: 2)
            #expect(try await CLI.audit(["verify", "--db", copy]).status == 0)

            // Same size, other root: the witness answers 409 with the size it holds, which is this one.
            let sameSize = try await CLI.audit(["witness", "submit", "--db", copy, "--key", keys.privateKey])
            expectOneLineError(sameSize, contains: "refused (409)")
            #expect(sameSize.status == 1)

            #expect(try await CLI.audit(["demo", "--db", db, "--stacks", "1", "--site", "second"]).status == 0)
            let second = try await CLI.audit(["witness", "submit", "--db", db, "--key", keys.privateKey])
            #expect(second.status == 0, "\(second.stderr)")
            let grown = try SQLiteEventStore.open(at: db).head().size
            #expect(grown > size)
            #expect(second.stdout.contains("size \(grown) at "))

            // The witness now holds more of this log than the copy has: the copy cannot catch up.
            let behind = try await CLI.audit(["witness", "submit", "--db", copy, "--key", keys.privateKey])
            expectOneLineError(behind, contains: "has cosigned \(grown) events of this log, which has \(size)")
            // Grown past the witnessed size, from the witnessed size: the proof cannot verify, 422.
            for site in ["third", "fourth"] {
                #expect(try await CLI.audit(["demo", "--db", copy, "--stacks", "1", "--site", site]).status == 0)
            }
            #expect(try SQLiteEventStore.open(at: copy).head().size > grown)
            let forged = try await CLI.audit(["witness", "submit", "--db", copy, "--key", keys.privateKey])
            expectOneLineError(forged, contains: "refused (422)")
            #expect(try await Self.cosignedCount(copy) == 1)

            // The report embeds the witness's cosignature, and an auditor who trusts that witness accepts it.
            let report = scratch.path("report")
            let written = try await CLI.audit([
                "report", "--db", db, "--site", "demo", "--key", keys.privateKey, "--out", report,
            ])
            #expect(written.status == 0, "\(written.stderr)")
            #expect(written.stdout.contains("witnessed: checkpoint size \(grown) cosigned by audit-witness/"))
            let accepted = try await CLI.audit([
                "verify-report", report, "--pubkey", keys.publicKey, "--witness", vkey,
            ])
            #expect(accepted.status == 0, "\(accepted.stderr)")
            #expect(accepted.stdout.contains("witness policy met: 1 of 1 trusted witnesses cosigned (quorum 1)"))

            // From the rewritten copy: the witness refuses, the copy's stored cosignature no longer matches, so
            // the report is written but not witnessed, and the same policy refuses it.
            let forgedReport = scratch.path("forged-report")
            let fromCopy = try await CLI.audit([
                "report", "--db", copy, "--site", "demo", "--key", keys.privateKey, "--out", forgedReport,
            ])
            #expect(fromCopy.status == 0, "\(fromCopy.stderr)")
            #expect(fromCopy.stdout.contains("NOT WITNESSED"))
            #expect(fromCopy.stderr.contains("refused (422)"))
            #expect(fromCopy.stderr.contains("with a root this log no longer has"))
            let refused = try await CLI.audit([
                "verify-report", forgedReport, "--pubkey", keys.publicKey, "--witness", vkey,
            ])
            expectOneLineError(refused, contains: "the report is NOT WITNESSED")
            #expect(refused.status == 1)
            #expect(try await Self.cosignedCount(copy) == 1)
        }
        #expect(try await Self.cosignedCount(db) == 2)
        let listed = try await CLI.audit(["witness", "list", "--db", db, "--format", "json"])
        #expect(listed.stdout.contains(#""cosigned_size":\#(try SQLiteEventStore.open(at: db).head().size)"#))
    }

    @Test func killNineOfflineAndCatchUp() async throws {
        let scratch = try TemporaryDirectory()
        let keys = try await makeKeys(in: scratch)
        let witnessKeys = try await makeKeys(in: scratch, folder: "witness-keys")
        let db = try await makeLog(in: scratch, events: 3)
        let state = scratch.path("witness.sqlite")
        let shown = try await CLI.audit(["key", "show", "--db", db, "--key", keys.privateKey])
        let logVKey = try #require(shown.stdoutLines.last?.split(separator: " ").last.map(String.init))
        let origin = try #require(logVKey.split(separator: "+").first.map(String.init))
        #expect(
            try await CLI.run(Self.serverPath, ["witness", "trust", origin, logVKey, "--state", state]).status == 0)
        let append = #"{"site":"site-a","type":"reading.taken","data":{"n":0}}"#

        try await Self.withWitness(state: state, key: witnessKeys.privateKey) { url, vkey in
            #expect(try await CLI.audit(["witness", "add", vkey, "--url", url, "--db", db]).status == 0)
            let first = try await CLI.audit(["witness", "submit", "--db", db, "--key", keys.privateKey])
            #expect(first.status == 0, "\(first.stderr)")
        }
        // Killed with SIGKILL right after answering: what it cosigned is on disk.
        let persisted = try await CLI.sqlite(state, "SELECT size FROM witnessed_tree")
        #expect(persisted.stdout == "3\n")
        // The witness is offline; the technician keeps recording.
        #expect(try await CLI.audit(["append", "--db", db, "--jsonl", "-"], stdin: append).status == 0)
        let offline = try await CLI.audit(["witness", "submit", "--db", db, "--key", keys.privateKey, "--timeout", "3"])
        expectOneLineError(offline, contains: "is unreachable")
        #expect(offline.status == 74)
        #expect(offline.stdout.isEmpty)
        #expect(try await Self.cosignedCount(db) == 1)

        // Back on another port, same state file: the size survived the kill, and one submit catches up.
        try await Self.withWitness(state: state, key: witnessKeys.privateKey) { newURL, _ in
            _ = try await CLI.sqlite(db, "UPDATE witness SET url = '\(newURL)'")
            let caughtUp = try await CLI.audit(["witness", "submit", "--db", db, "--key", keys.privateKey])
            #expect(caughtUp.status == 0, "\(caughtUp.stderr)")
            #expect(caughtUp.stdout.contains("size 4 at "))
        }
        #expect(try await Self.cosignedCount(db) == 2)
    }
}

@Suite struct WitnessCommandErrorTests {
    @Test func eightLogsSubmittingAtOnceAreAllCosigned() async throws {
        let scratch = try TemporaryDirectory()
        let keys = try await makeKeys(in: scratch)
        let witnessKeys = try await makeKeys(in: scratch, folder: "witness-keys")
        let state = scratch.path("witness.sqlite")
        var logs: [String] = []
        for index in 0..<8 {
            let db = scratch.path("log-\(index).db")
            #expect(try await CLI.audit(["init", "--db", db]).status == 0)
            let line = #"{"site":"s","type":"reading.taken","data":{"n":\#(index)}}"#
            #expect(try await CLI.audit(["append", "--db", db, "--jsonl", "-"], stdin: line).status == 0)
            let shown = try await CLI.audit(["key", "show", "--db", db, "--key", keys.privateKey])
            let vkey = try #require(shown.stdoutLines.last?.split(separator: " ").last.map(String.init))
            let origin = try #require(vkey.split(separator: "+").first.map(String.init))
            let trusted = try await CLI.run(
                WitnessCommandTests.serverPath, ["witness", "trust", origin, vkey, "--state", state])
            #expect(trusted.status == 0, "\(trusted.stderr)")
            logs.append(db)
        }
        try await WitnessCommandTests.withWitness(state: state, key: witnessKeys.privateKey) { url, vkey in
            for db in logs {
                #expect(try await CLI.audit(["witness", "add", vkey, "--url", url, "--db", db]).status == 0)
            }
            let results = try await withThrowingTaskGroup(of: ProcessResult.self) { group in
                for db in logs {
                    group.addTask { try await CLI.audit(["witness", "submit", "--db", db, "--key", keys.privateKey]) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.map(\.status) == Array(repeating: 0, count: 8), "\(results.map(\.stderr))")
        }
        let sizes = try await CLI.sqlite(state, "SELECT count(*), min(size), max(size) FROM witnessed_tree")
        #expect(sizes.stdout == "8|1|1\n")
    }

    @Test func witnessCommandsRefuseWithOneLineAndTheirStatus() async throws {
        let scratch = try TemporaryDirectory()
        let keys = try await makeKeys(in: scratch)
        let db = try await makeLog(in: scratch, events: 1)
        let logVKey = try #require(
            try await CLI.audit(["key", "show", "--db", db, "--key", keys.privateKey]).stdoutLines.last?
                .split(separator: " ").last.map(String.init))
        let noWitness = try await CLI.audit(["witness", "submit", "--db", db, "--key", keys.privateKey])
        expectOneLineError(noWitness, contains: "no witness is configured")
        #expect(noWitness.status == 66)
        // A log key (type 01) is not a witness key (type 04).
        let logKeyAsWitness = try await CLI.audit([
            "witness", "add", logVKey, "--url", "http://127.0.0.1:1", "--db", db,
        ])
        expectOneLineError(logKeyAsWitness, contains: "cosignature/v1 key")
        #expect(logKeyAsWitness.status == 65)
        let garbled = try await CLI.audit(["witness", "add", "not+a+key", "--url", "http://127.0.0.1:1", "--db", db])
        expectOneLineError(garbled, contains: "not a note key")
        #expect(garbled.status == 65)

        let witnessKeys = try await makeKeys(in: scratch, folder: "witness-keys")
        let state = scratch.path("witness.sqlite")
        var witnessVKey = ""
        try await WitnessCommandTests.withWitness(state: state, key: witnessKeys.privateKey) { _, vkey in
            witnessVKey = vkey
        }
        let badURL = try await CLI.audit(["witness", "add", witnessVKey, "--url", "ftp://example", "--db", db])
        expectOneLineError(badURL, contains: "is not an http or https URL")
        #expect(badURL.status == 65)
        #expect(
            try await CLI.audit(["witness", "add", witnessVKey, "--url", "http://127.0.0.1:1", "--db", db]).status == 0)
        let again = try await CLI.audit(["witness", "add", witnessVKey, "--url", "http://127.0.0.1:2", "--db", db])
        expectOneLineError(again, contains: "is already configured")
        #expect(again.status == 73)
        let listed = try await CLI.audit(["witness", "list", "--db", db])
        #expect(listed.stdoutLines.count == 1)
        #expect(listed.stdout.contains("http://127.0.0.1:1 nothing cosigned yet"))
        let name = try #require(witnessVKey.split(separator: "+").first.map(String.init))
        #expect(try await CLI.audit(["witness", "remove", name, "--db", db]).status == 0)
        let gone = try await CLI.audit(["witness", "remove", name, "--db", db])
        expectOneLineError(gone, contains: "no witness named")
        #expect(gone.status == 66)
        #expect(try await CLI.audit(["witness", "list", "--db", db]).stdout.isEmpty)

        // The server side: a log key must be named after the origin it is trusted for.
        let misnamed = try await CLI.run(
            WitnessCommandTests.serverPath, ["witness", "trust", "other.example/log", logVKey, "--state", state])
        #expect(misnamed.status == 65)
        #expect(misnamed.stderrLines.count == 1)
        #expect(misnamed.stderr.contains("not its origin"))
        let badListen = try await CLI.run(
            WitnessCommandTests.serverPath,
            ["witness", "serve", "--listen", "nowhere", "--key", witnessKeys.privateKey, "--state", state])
        #expect(badListen.status == 64)
    }
}
