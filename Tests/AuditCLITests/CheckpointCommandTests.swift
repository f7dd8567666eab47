import AuditLog
import AuditTestSupport
import Foundation
import Testing

/// `audit checkpoint` and `audit key show`: the log's checkpoint as a C2SP note that stock tools verify.
@Suite struct CheckpointCommandTests {
    @Test func theCheckpointIsASignedNoteOfTheLogThatOpenSSLVerifies() async throws {
        let scratch = try TemporaryDirectory()
        let db = try makeScenarioLog(in: scratch)
        let keys = try await makeKeys(in: scratch)
        let shown = try await CLI.audit(["key", "show", "--db", db, "--key", keys.privateKey, "--format", "json"])
        #expect(shown.status == 0, "\(shown.stderr)")
        let vkeyText = try #require(
            try JSONValue(parsing: Array(shown.stdout.utf8))["verifier_key"]?.stringValue)
        let vkey = try NoteVerifierKey(parsing: vkeyText)

        let printed = try await CLI.audit(["checkpoint", "--db", db, "--key", keys.privateKey])
        #expect(printed.status == 0, "\(printed.stderr)")
        let note = try SignedNote(parsing: Array(printed.stdout.utf8))
        #expect(try note.verify([vkey]) == [vkey])
        let checkpoint = try TlogCheckpoint(parsing: note.text)
        let store = try SQLiteEventStore.open(at: db)
        #expect(checkpoint.origin == "audit.local/log/\(store.logID)")
        #expect(checkpoint.origin == vkey.name)
        #expect(checkpoint.size == (try store.head().size))
        #expect(checkpoint.root == (try store.checkpoint().root))

        // The signature is plain Ed25519 over the note text: openssl checks it with the public key PEM.
        let text = scratch.path("checkpoint.txt")
        try Data(note.text.utf8).write(to: URL(fileURLWithPath: text))
        let signature = scratch.path("checkpoint.sig")
        try Data(try #require(note.signatures.first).bytes).write(to: URL(fileURLWithPath: signature))
        let openssl = try await CLI.run(
            "openssl",
            ["pkeyutl", "-verify", "-rawin", "-pubin", "-inkey", keys.publicKey, "-in", text, "-sigfile", signature])
        #expect(openssl.status == 0, "\(openssl.stdout)\(openssl.stderr)")
    }

    @Test func keyShowTakesAnOriginAndNamesAMissingKey() async throws {
        let scratch = try TemporaryDirectory()
        let keys = try await makeKeys(in: scratch)
        let shown = try await CLI.audit(["key", "show", "--key", keys.privateKey, "--origin", "example.com/log"])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdoutLines.last?.hasPrefix("verifier key example.com/log+") == true)
        let missing = try await CLI.audit(["checkpoint", "--db", scratch.path("none.db"), "--key", keys.privateKey])
        expectOneLineError(missing, contains: "no audit log at")
        #expect(missing.status == 66)
    }
}
