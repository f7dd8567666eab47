import AuditCore
import AuditCrypto
import AuditDomain
import AuditLog
import Foundation

/// A report written to its folder: what the CLI prints.
public struct WrittenReport: Sendable {
    public var report: Report
    public var directory: URL
    /// Why the report is less witnessed than it could be: a witness unreachable or refusing, or stored
    /// cosignatures of a tree this log no longer extends. One line each, for stderr.
    public var witnessNotices: [String] = []

    /// The rules that fail, by id, in the report's order.
    public var failingRules: [String] { report.failingFindings.map(\.rule) }
}

/// Writes a signed report for a site in one call: check the folder, load the key, read, build, sign, write.
public struct ReportWriter: Sendable {
    public var clock: any AuditClock

    public init(clock: any AuditClock = SystemClock()) { self.clock = clock }

    /// With witnesses configured, the current checkpoint is submitted first so the report can embed its
    /// cosignatures; a witness that cannot be reached costs a notice, never the report.
    public func write(
        site: String, logPath: String, keyPath: String, to directory: URL, submitter: any CheckpointSubmitter
    ) async throws(ReportError) -> WrittenReport {
        let (signingKey, store) = try open(logPath: logPath, keyPath: keyPath, to: directory)
        let notices = try await Self.submit(site: site, store: store, key: signingKey, submitter: submitter)
        var written = try write(site: site, store: store, key: signingKey, to: directory)
        written.witnessNotices = notices + written.witnessNotices
        return written
    }

    /// The folder is checked first so a refusal costs nothing; the log is opened only once the key loads.
    public func write(
        site: String, logPath: String, keyPath: String, to directory: URL
    ) throws(ReportError) -> WrittenReport {
        let (signingKey, store) = try open(logPath: logPath, keyPath: keyPath, to: directory)
        return try write(site: site, store: store, key: signingKey, to: directory)
    }

    func open(logPath: String, keyPath: String, to directory: URL) throws(ReportError) -> (
        Ed25519PrivateKey, SQLiteEventStore
    ) {
        try ReportDirectory.checkWritable(directory)
        let signingKey: Ed25519PrivateKey
        do { signingKey = try KeyFiles.loadPrivateKey(at: URL(fileURLWithPath: keyPath)) } catch {
            throw .crypto(error)
        }
        let store: SQLiteEventStore
        do { store = try SQLiteEventStore.open(at: logPath) } catch { throw .log(error) }
        return (signingKey, store)
    }

    /// Builds, signs and writes from the log as it is, with the cosignatures it already holds.
    func write(
        site: String, store: SQLiteEventStore, key signingKey: Ed25519PrivateKey, to directory: URL
    ) throws(ReportError) -> WrittenReport {
        var notices: [String] = []
        let (inputs, inconsistent) = try ReportBuilder.prepared(
            store: store, site: site, key: signingKey, clock: clock)
        notices += inconsistent.map {
            "witness \($0.witness.name) cosigned size \($0.size) with a root this log no longer has: "
                + "the log was rewritten after the witness saw it"
        }
        let report = try ReportBuilder.build(inputs)
        let signed = try ReportSigner.sign(report, with: signingKey)
        try ReportDirectory.write(signed, photos: ReportBuilder.photoFiles(report, store: store), to: directory)
        return WrittenReport(report: signed.report, directory: directory, witnessNotices: notices)
    }

    /// Submits when witnesses are configured and the site exists; returns one notice per witness that failed.
    static func submit(
        site: String, store: SQLiteEventStore, key: Ed25519PrivateKey, submitter: any CheckpointSubmitter
    ) async throws(ReportError) -> [String] {
        do {
            guard !(try store.witnesses()).isEmpty,
                !(try store.events(EventFilter(site: site, limit: 1))).isEmpty
            else { return [] }
        } catch { throw .log(error) }
        let outcomes: [WitnessOutcome]
        do { outcomes = try await submitter.submit(store: store, key: key) } catch {
            return ["no checkpoint was submitted: \(oneLineMessage(error))"]
        }
        return outcomes.compactMap { outcome in
            guard case .failure(let failure) = outcome.result else { return nil }
            return failure.message
        }
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
    /// Loads the public key at `publicKeyPath`, then verifies the folder with it, and with a policy that
    /// enough of the policy's witnesses cosigned its checkpoint.
    public static func verify(
        directory: URL, publicKeyPath: String, policy: WitnessPolicy? = nil
    ) throws(ReportError) -> Report {
        let key: Ed25519PublicKey
        do { key = try KeyFiles.loadPublicKey(at: URL(fileURLWithPath: publicKeyPath)) } catch { throw .crypto(error) }
        let report = try verify(directory: directory, publicKey: key)
        if let policy { try check(report, against: policy) }
        return report
    }
}
