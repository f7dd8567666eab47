import AuditCrypto
import AuditTestSupport
import Foundation
import Subprocess
import Testing

/// Proves the formats work with stock `openssl`, which is what a warranty auditor has.
@Suite struct OpenSSLInteropTests {
    @Test func opensslVerifiesOurSignatureAndRejectsAFlippedByte() async throws {
        do {
            let temporary = try TemporaryDirectory(prefix: "audit-crypto-tests")
            let directory = temporary.url
            let key = try Ed25519PrivateKey.generate()
            let message = Array("{\"report\":\"site 7\",\"stacks\":3}\n".utf8)
            let publicURL = directory.appendingPathComponent("pub.pem")
            let messageURL = directory.appendingPathComponent("report.json")
            let signatureURL = directory.appendingPathComponent("report.json.sig")
            try Data(key.publicKey.pemRepresentation.utf8).write(to: publicURL)
            try Data(message).write(to: messageURL)
            try Data(key.sign(message)).write(to: signatureURL)
            let verify = [
                "pkeyutl", "-verify", "-rawin", "-pubin", "-inkey", publicURL.path,
                "-in", messageURL.path, "-sigfile", signatureURL.path,
            ]
            #expect(try await runOpenSSL(verify) == .exited(0))

            var tampered = message
            tampered[5] ^= 0x01
            try Data(tampered).write(to: messageURL)
            #expect(try await runOpenSSL(verify) != .exited(0))

            try Data(message).write(to: messageURL)
            var signature = key.sign(message)
            signature[0] ^= 0x01
            try Data(signature).write(to: signatureURL)
            #expect(try await runOpenSSL(verify) != .exited(0))
        }
    }

    @Test func opensslGeneratedKeyLoadsAndSigns() async throws {
        do {
            let temporary = try TemporaryDirectory(prefix: "audit-crypto-tests")
            let directory = temporary.url
            let keyURL = directory.appendingPathComponent("signing-key.pem")
            let publicURL = directory.appendingPathComponent("openssl.pub.pem")
            #expect(try await runOpenSSL(["genpkey", "-algorithm", "ed25519", "-out", keyURL.path]) == .exited(0))
            #expect(chmod(keyURL.path, 0o600) == 0)
            #expect(
                try await runOpenSSL(["pkey", "-in", keyURL.path, "-pubout", "-out", publicURL.path]) == .exited(0))

            let key = try KeyFiles.loadPrivateKey(at: keyURL)
            let opensslPublic = try String(contentsOf: publicURL, encoding: .utf8)
            #expect(key.publicKey.pemRepresentation == opensslPublic)
            #expect(try KeyFiles.loadPublicKey(at: publicURL) == key.publicKey)
            // Both sides write the same PKCS#8 bytes for the same key.
            #expect(key.pemRepresentation == (try String(contentsOf: keyURL, encoding: .utf8)))

            let message = Array("signed by an openssl key".utf8)
            let signature = key.sign(message)
            #expect(key.publicKey.verify(signature: signature, message: message))
            let messageURL = directory.appendingPathComponent("m.bin")
            let signatureURL = directory.appendingPathComponent("m.sig")
            try Data(message).write(to: messageURL)
            try Data(signature).write(to: signatureURL)
            let verify = [
                "pkeyutl", "-verify", "-rawin", "-pubin", "-inkey", publicURL.path,
                "-in", messageURL.path, "-sigfile", signatureURL.path,
            ]
            #expect(try await runOpenSSL(verify) == .exited(0))
        }
    }

    @Test func weVerifyAnOpenSSLSignature() async throws {
        do {
            let temporary = try TemporaryDirectory(prefix: "audit-crypto-tests")
            let directory = temporary.url
            let keyURL = directory.appendingPathComponent("k.pem")
            let messageURL = directory.appendingPathComponent("m.bin")
            let signatureURL = directory.appendingPathComponent("m.sig")
            #expect(try await runOpenSSL(["genpkey", "-algorithm", "ed25519", "-out", keyURL.path]) == .exited(0))
            let message = Array("signed by openssl".utf8)
            try Data(message).write(to: messageURL)
            let sign = [
                "pkeyutl", "-sign", "-rawin", "-inkey", keyURL.path, "-in", messageURL.path, "-out", signatureURL.path,
            ]
            #expect(try await runOpenSSL(sign) == .exited(0))
            let key = try Ed25519PrivateKey(pemRepresentation: String(contentsOf: keyURL, encoding: .utf8))
            let signature = try [UInt8](Data(contentsOf: signatureURL))
            #expect(key.publicKey.verify(signature: signature, message: message))
        }
    }

    @Test(arguments: [
        (["-algorithm", "ed448"], "ED448"),
        (["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"], "EC"),
    ])
    func otherAlgorithmsAreRefused(arguments: [String], typeName: String) async throws {
        do {
            let temporary = try TemporaryDirectory(prefix: "audit-crypto-tests")
            let directory = temporary.url
            let keyURL = directory.appendingPathComponent("signing-key.pem")
            #expect(try await runOpenSSL(["genpkey"] + arguments + ["-out", keyURL.path]) == .exited(0))
            #expect(chmod(keyURL.path, 0o600) == 0)
            #expect(throws: CryptoError.unsupportedKeyType(typeName)) { try KeyFiles.loadPrivateKey(at: keyURL) }
        }
    }

    @Test func nonEd25519PublicKeyIsRefused() async throws {
        do {
            let temporary = try TemporaryDirectory(prefix: "audit-crypto-tests")
            let directory = temporary.url
            let keyURL = directory.appendingPathComponent("ec.pem")
            let publicURL = directory.appendingPathComponent("ec.pub.pem")
            let generate = ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", keyURL.path]
            #expect(try await runOpenSSL(generate) == .exited(0))
            #expect(
                try await runOpenSSL(["pkey", "-in", keyURL.path, "-pubout", "-out", publicURL.path]) == .exited(0))
            #expect(throws: CryptoError.unsupportedKeyType("EC")) { try KeyFiles.loadPublicKey(at: publicURL) }
        }
    }

    @Test func encryptedKeyIsRefused() async throws {
        do {
            let temporary = try TemporaryDirectory(prefix: "audit-crypto-tests")
            let directory = temporary.url
            let keyURL = directory.appendingPathComponent("signing-key.pem")
            let generate = [
                "genpkey", "-algorithm", "ed25519", "-aes-256-cbc", "-pass", "pass:secret", "-out", keyURL.path,
            ]
            #expect(try await runOpenSSL(generate) == .exited(0))
            #expect(chmod(keyURL.path, 0o600) == 0)
            #expect(throws: CryptoError.encryptedKeyUnsupported) { try KeyFiles.loadPrivateKey(at: keyURL) }
        }
    }
}
