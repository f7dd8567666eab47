import AuditCrypto
import Foundation
import Testing

@Suite struct Ed25519Tests {
    // RFC 8032 §7.1, TEST 1 (empty message).
    static let rfcSeed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
    static let rfcPublic = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    static let rfcSignature =
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"

    @Test func signVerifyRoundTrip() throws {
        let key = try Ed25519PrivateKey.generate()
        let message = Array("completion report".utf8)
        let signature = key.sign(message)
        #expect(signature.count == 64)
        #expect(key.publicKey.verify(signature: signature, message: message))
        #expect(key.publicKey.verify(signature: key.sign([]), message: []))
    }

    @Test func tamperedMessageSignatureAndWrongKeyFail() throws {
        let key = try Ed25519PrivateKey.generate()
        let other = try Ed25519PrivateKey.generate()
        let message = Array("stack 2 firmware 4007".utf8)
        let signature = key.sign(message)
        var tampered = message
        tampered[0] ^= 0x01
        #expect(!key.publicKey.verify(signature: signature, message: tampered))
        #expect(!other.publicKey.verify(signature: signature, message: message))
        var flipped = signature
        flipped[10] ^= 0x80
        #expect(!key.publicKey.verify(signature: flipped, message: message))
        #expect(!key.publicKey.verify(signature: Array(signature.dropLast()), message: message))
        #expect(!key.publicKey.verify(signature: [], message: message))
    }

    @Test func matchesRFC8032TestVector() throws {
        let key = try Ed25519PrivateKey(rawRepresentation: hexBytes(Self.rfcSeed))
        #expect(Hex.encode(key.publicKey.rawRepresentation) == Self.rfcPublic)
        #expect(Hex.encode(key.sign([])) == Self.rfcSignature)
        #expect(key.publicKey.verify(signature: hexBytes(Self.rfcSignature), message: []))
    }

    @Test func keyIDIsTruncatedSHA256OfRawPublicKey() throws {
        let key = try Ed25519PrivateKey(rawRepresentation: hexBytes(Self.rfcSeed))
        // sha256(d75a98…511a)[0..<16], computed independently with Python's hashlib.
        #expect(key.keyID == "21fe31dfa154a261626bf854046fd227")
        #expect(key.publicKey.keyID == Hex.encode(SHA256.hash(key.publicKey.rawRepresentation).rawBytes.prefix(16)))
    }

    @Test func rawLengthsAreChecked() {
        #expect(throws: CryptoError.invalidLength(what: "Ed25519 private key", expected: 32, actual: 31)) {
            try Ed25519PrivateKey(rawRepresentation: [UInt8](repeating: 1, count: 31))
        }
        #expect(throws: CryptoError.invalidLength(what: "Ed25519 public key", expected: 32, actual: 33)) {
            try Ed25519PublicKey(rawRepresentation: [UInt8](repeating: 1, count: 33))
        }
    }

    @Test func descriptionsNeverShowKeyMaterial() throws {
        let key = try Ed25519PrivateKey(rawRepresentation: hexBytes(Self.rfcSeed))
        for text in ["\(key)", String(reflecting: key)] {
            #expect(!text.contains(Self.rfcSeed))
            #expect(text.contains(key.keyID))
        }
    }

    @Test func pemRoundTrip() throws {
        let key = try Ed25519PrivateKey.generate()
        let privatePEM = key.pemRepresentation
        #expect(privatePEM.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        #expect(privatePEM.hasSuffix("-----END PRIVATE KEY-----\n"))
        let reloaded = try Ed25519PrivateKey(pemRepresentation: privatePEM)
        #expect(reloaded.publicKey == key.publicKey)
        #expect(reloaded.sign([1, 2, 3]) == key.sign([1, 2, 3]))

        let publicPEM = key.publicKey.pemRepresentation
        #expect(publicPEM.hasPrefix("-----BEGIN PUBLIC KEY-----\n"))
        #expect(try Ed25519PublicKey(pemRepresentation: publicPEM) == key.publicKey)
    }

    @Test func malformedPEMIsRefused() throws {
        #expect(throws: CryptoError.malformedPEM("no -----BEGIN line found")) {
            try Ed25519PrivateKey(pemRepresentation: "not a key")
        }
        let garbage = "-----BEGIN PRIVATE KEY-----\nAAAAAAAA\n-----END PRIVATE KEY-----\n"
        #expect(throws: CryptoError.self) { try Ed25519PrivateKey(pemRepresentation: garbage) }
        do {
            _ = try Ed25519PrivateKey(pemRepresentation: garbage)
        } catch {
            guard case .malformedPEM = error else {
                Issue.record("expected malformedPEM, got \(error)")
                return
            }
        }
        let publicPEM = try Ed25519PrivateKey.generate().publicKey.pemRepresentation
        #expect(throws: CryptoError.self) { try Ed25519PrivateKey(pemRepresentation: publicPEM) }
        let privatePEM = try Ed25519PrivateKey.generate().pemRepresentation
        #expect(throws: CryptoError.malformedPEM("expected a PUBLIC KEY block, found PRIVATE KEY")) {
            try Ed25519PublicKey(pemRepresentation: privatePEM)
        }
    }
}
