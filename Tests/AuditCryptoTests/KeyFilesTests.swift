import AuditCrypto
import AuditTestSupport
import Foundation
import Testing

@Suite struct KeyFilesTests {
    @Test func writesPrivate0600Public0644InA0700Directory() throws {
        do {
            let temporary = try TemporaryDirectory(prefix: "audit-crypto-tests")
            let root = temporary.url
            let directory = root.appendingPathComponent("nested/keys")
            let key = try Ed25519PrivateKey.generate()
            let (privateURL, publicURL) = try KeyFiles.write(privateKey: key, to: directory)
            #expect(privateURL == directory.appendingPathComponent("signing-key.pem"))
            #expect(publicURL == directory.appendingPathComponent("signing-key.pub.pem"))
            #expect(permissionBits(directory) == 0o700)
            #expect(permissionBits(privateURL) == 0o600)
            #expect(permissionBits(publicURL) == 0o644)
            #expect(try KeyFiles.loadPrivateKey(at: privateURL).publicKey == key.publicKey)
            #expect(try KeyFiles.loadPublicKey(at: publicURL) == key.publicKey)
        }
    }

    @Test func existingDirectoryIsKept() throws {
        do {
            let temporary = try TemporaryDirectory(prefix: "audit-crypto-tests")
            let directory = temporary.url
            #expect(chmod(directory.path, 0o750) == 0)
            try KeyFiles.write(privateKey: try Ed25519PrivateKey.generate(), to: directory)
            #expect(permissionBits(directory) == 0o750)
        }
    }

    @Test func refusesToOverwriteAnExistingKey() throws {
        do {
            let temporary = try TemporaryDirectory(prefix: "audit-crypto-tests")
            let directory = temporary.url
            let first = try Ed25519PrivateKey.generate()
            try KeyFiles.write(privateKey: first, to: directory)
            let privateURL = directory.appendingPathComponent(KeyFiles.privateKeyFileName)
            let publicURL = directory.appendingPathComponent(KeyFiles.publicKeyFileName)
            #expect(throws: CryptoError.keyFileExists(path: publicURL.path)) {
                try KeyFiles.write(privateKey: try Ed25519PrivateKey.generate(), to: directory)
            }
            // With only the private file left, the O_EXCL create is what refuses.
            try FileManager.default.removeItem(at: publicURL)
            #expect(throws: CryptoError.keyFileExists(path: privateURL.path)) {
                try KeyFiles.write(privateKey: try Ed25519PrivateKey.generate(), to: directory)
            }
            #expect(try KeyFiles.loadPrivateKey(at: privateURL).publicKey == first.publicKey)
        }
    }

    @Test func refusesAPrivateKeyOthersCanRead() throws {
        do {
            let temporary = try TemporaryDirectory(prefix: "audit-crypto-tests")
            let directory = temporary.url
            try KeyFiles.write(privateKey: try Ed25519PrivateKey.generate(), to: directory)
            let privateURL = directory.appendingPathComponent(KeyFiles.privateKeyFileName)
            #expect(chmod(privateURL.path, 0o644) == 0)
            let expected = CryptoError.insecureKeyFileMode(path: privateURL.path, mode: 0o644)
            #expect(throws: expected) { try KeyFiles.loadPrivateKey(at: privateURL) }
            #expect(expected.description.contains("0644"))
            #expect(expected.description.contains("chmod 600"))
            #expect(chmod(privateURL.path, 0o640) == 0)
            #expect(throws: CryptoError.insecureKeyFileMode(path: privateURL.path, mode: 0o640)) {
                try KeyFiles.loadPrivateKey(at: privateURL)
            }
            #expect(chmod(privateURL.path, 0o400) == 0)
            _ = try KeyFiles.loadPrivateKey(at: privateURL)
        }
    }

    @Test func malformedKeyFileErrorNamesThePath() throws {
        do {
            let temporary = try TemporaryDirectory(prefix: "audit-crypto-tests")
            let directory = temporary.url
            let keyURL = directory.appendingPathComponent(KeyFiles.privateKeyFileName)
            try Data("hello\n".utf8).write(to: keyURL)
            #expect(chmod(keyURL.path, 0o600) == 0)
            #expect(throws: CryptoError.malformedPEM("\(keyURL.path): no -----BEGIN line found")) {
                try KeyFiles.loadPrivateKey(at: keyURL)
            }
        }
    }

    @Test func missingFileAndDirectoryAreTypedErrors() throws {
        do {
            let temporary = try TemporaryDirectory(prefix: "audit-crypto-tests")
            let directory = temporary.url
            let missing = directory.appendingPathComponent("absent.pem")
            #expect(throws: CryptoError.fileSystem(operation: "open", path: missing.path, errno: ENOENT)) {
                try KeyFiles.loadPrivateKey(at: missing)
            }
            #expect(throws: CryptoError.notARegularFile(path: directory.path)) {
                try KeyFiles.loadPrivateKey(at: directory)
            }
        }
    }
}
