import AuditCrypto
import Foundation
import Testing

@testable import AuditLog

/// C2SP signed notes, checkpoints and cosignatures, against the published vectors.
@Suite struct SignedNoteTests {
    // golang.org/x/mod/sumdb/note's test vectors.
    static let goVerifier = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    static let goSigner = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
    static let goText =
        "If you think cryptography is the answer to your problem,\n" + "then you don't know what your problem is.\n"
    static let goLine =
        "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="

    @Test func theGoVectorIsReproducedByteForByte() throws {
        let signer = try NoteSigner(parsing: Self.goSigner)
        #expect(signer.verifierKey.description == Self.goVerifier)
        var note = SignedNote(text: Self.goText)
        note.sign(with: signer)
        #expect(note.serialized == Self.goText + "\n" + Self.goLine + "\n")
    }

    @Test func theGoVectorVerifies() throws {
        let key = try NoteVerifierKey(parsing: Self.goVerifier)
        #expect(key.name == "PeterNeumann")
        #expect(key.keyID == 0xc74f_20a3)
        let note = try SignedNote(parsing: Array((Self.goText + "\n" + Self.goLine + "\n").utf8))
        #expect(note.text == Self.goText)
        #expect(try note.verify([key]) == [key])
    }

    @Test func theC2SPVerifierKeyParsesAndItsKeyIDIsItsHash() throws {
        let key = try NoteVerifierKey(parsing: "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k")
        #expect(key.name == "example.com/foo")
        #expect(key.type == .ed25519)
        #expect(key.description == "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k")
    }

    @Test(arguments: [
        ("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "is not the hash"),
        ("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "lowercase hex"),
        ("PeterNeumann+c74f20a3+AhpcDQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "type byte"),
        ("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "no spaces"),
        ("PeterNeumann+c74f20a3", "NAME+KEYID+KEY"),
    ])
    func aBadVerifierKeyIsRefused(text: String, fragment: String) {
        let error = #expect(throws: NoteError.self) { try NoteVerifierKey(parsing: text) }
        #expect(error.map { "\($0)".contains(fragment) } == true, "\(String(describing: error))")
    }

    @Test func anAlteredTextFailsAndAnUnknownKeyIsIgnored() throws {
        let key = try NoteVerifierKey(parsing: Self.goVerifier)
        let altered = try SignedNote(parsing: Array((Self.goText.uppercased() + "\n" + Self.goLine + "\n").utf8))
        #expect(throws: NoteError.badSignature(keyName: "PeterNeumann")) { try altered.verify([key]) }
        let other = try NoteSigner(name: "other.example/log", privateKey: Ed25519PrivateKey.generate())
        let note = try SignedNote(parsing: Array((Self.goText + "\n" + Self.goLine + "\n").utf8))
        #expect(throws: NoteError.noKnownSignature) { try note.verify([other.verifierKey]) }
    }

    @Test(arguments: [
        ("no signature\n", "no blank line"),
        ("text\n\n", "no signature"),
        ("text\n\n\u{2014} name AAAA\n", "not base64 of a key ID"),
        ("text\n\n- name AAAAAAAAAA==\n", "starts with '— '"),
        ("te\u{01}xt\n\n\u{2014} name AAAAAAAAAA==\n", "control character"),
        ("text\n\n\u{2014} name AAAAAAAAAA==", "does not end in a newline"),
    ])
    func aMalformedNoteIsRefused(text: String, fragment: String) {
        let error = #expect(throws: NoteError.self) { try SignedNote(parsing: Array(text.utf8)) }
        #expect(error.map { "\($0)".contains(fragment) } == true, "\(String(describing: error))")
    }

    @Test func invalidUTF8IsRefused() {
        #expect(throws: NoteError.malformedNote("it is not UTF-8")) {
            try SignedNote(parsing: [0x61, 0xFF, 0x0A, 0x0A])
        }
    }

    @Test func aCheckpointRoundTripsAndRefusesNonCanonicalLines() throws {
        let root = SHA256.hash(Array("root".utf8))
        let checkpoint = TlogCheckpoint(origin: TlogCheckpoint.origin(logID: "0190-abc"), size: 88, root: root)
        #expect(checkpoint.text == "audit.local/log/0190-abc\n88\n\(Data(root.rawBytes).base64EncodedString())\n")
        #expect(try TlogCheckpoint(parsing: checkpoint.text) == checkpoint)
        for bad in ["o\n088\n\(Data(root.rawBytes).base64EncodedString())\n", "o\n8\nAAAA\n", "o\n8\n", "o\n-1\nx\n"] {
            #expect(throws: NoteError.self) { try TlogCheckpoint(parsing: bad) }
        }
    }

    @Test func aCosignatureVerifiesOnlyForItsTextAndTime() throws {
        let witness = try NoteSigner(
            name: "witness.example/w1", type: .cosignatureV1, privateKey: Ed25519PrivateKey.generate())
        let text = TlogCheckpoint(origin: "audit.local/log/x", size: 3, root: SHA256.hash([1])).text
        let line = Cosignature.sign(checkpointText: text, timestamp: 1_764_000_000, with: witness)
        #expect(line.bytes.count == 72)
        let cosignature = try #require(Cosignature.verify(line, text: text, key: witness.verifierKey))
        #expect(cosignature.timestamp == 1_764_000_000)
        #expect(Cosignature.verify(line, text: text + "x\n", key: witness.verifierKey) == nil)
        var later = line
        later.bytes[7] ^= 1
        #expect(Cosignature.verify(later, text: text, key: witness.verifierKey) == nil)
        // The type byte is in the key ID: the same key as a plain Ed25519 signer has another ID.
        let plain = try NoteVerifierKey(name: witness.verifierKey.name, publicKey: witness.verifierKey.publicKey)
        #expect(plain.keyID != witness.verifierKey.keyID)
        #expect(witness.verifierKey.description.split(separator: "+")[2].hasPrefix("B"))
    }
}
