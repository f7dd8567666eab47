import AuditCore
import AuditCrypto
import AuditDomain
import AuditLog
import Foundation

/// A report written to its folder: what the CLI prints.
public struct WrittenReport: Sendable {
    public var report: Report
    public var directory: URL

    /// The rules that fail, by id, in the report's order.
    public var failingRules: [String] { report.failingFindings.map(\.rule) }
}

/// Writes a signed report for a site in one call: check the folder, load the key, read, build, sign, write.
public struct ReportWriter: Sendable {
    public var clock: any AuditClock

    public init(clock: any AuditClock = SystemClock()) { self.clock = clock }

    /// The folder is checked first so a refusal costs nothing; the log is opened only once the key loads.
    public func write(
        site: String, logPath: String, keyPath: String, to directory: URL
    ) throws(ReportError) -> WrittenReport {
        try ReportDirectory.checkWritable(directory)
        let signingKey: Ed25519PrivateKey
        do { signingKey = try KeyFiles.loadPrivateKey(at: URL(fileURLWithPath: keyPath)) } catch {
            throw .crypto(error)
        }
        let store: SQLiteEventStore
        do { store = try SQLiteEventStore.open(at: logPath) } catch { throw .log(error) }
        let inputs = try ReportBuilder.inputs(store: store, site: site, keyID: signingKey.keyID, clock: clock)
        let report = try ReportBuilder.build(inputs)
        let signed = try ReportSigner.sign(report, with: signingKey)
        try ReportDirectory.write(signed, photos: ReportBuilder.photoFiles(report, store: store), to: directory)
        return WrittenReport(report: signed.report, directory: directory)
    }
}

/// A new signing key pair on disk: what `audit keygen` prints.
public struct GeneratedKey: Sendable, Hashable {
    public var keyID: String
    public var privateKey: URL
    public var publicKey: URL
    /// True when this finished the pair of an interrupted `keygen` rather than making a new key.
    public var completedInterrupted = false
}

extension KeyLocation {
    /// Makes an Ed25519 key pair in `directory`; never replaces an existing key file.
    ///
    /// A pair left half-published by a killed `keygen` (the private key alone) is finished instead.
    public static func generate(in directory: URL) throws(CryptoError) -> GeneratedKey {
        if let key = try KeyFiles.completePair(in: directory) {
            return GeneratedKey(
                keyID: key.keyID, privateKey: directory.appendingPathComponent(KeyFiles.privateKeyFileName),
                publicKey: directory.appendingPathComponent(KeyFiles.publicKeyFileName), completedInterrupted: true)
        }
        let key = try Ed25519PrivateKey.generate()
        let files = try KeyFiles.write(privateKey: key, to: directory)
        return GeneratedKey(keyID: key.keyID, privateKey: files.privateKey, publicKey: files.publicKey)
    }
}

extension ReportVerifier {
    /// Loads the public key at `publicKeyPath`, then verifies the folder with it.
    public static func verify(directory: URL, publicKeyPath: String) throws(ReportError) -> Report {
        let key: Ed25519PublicKey
        do { key = try KeyFiles.loadPublicKey(at: URL(fileURLWithPath: publicKeyPath)) } catch { throw .crypto(error) }
        return try verify(directory: directory, publicKey: key)
    }
}
