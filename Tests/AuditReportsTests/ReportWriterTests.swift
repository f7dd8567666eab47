import AuditCore
import AuditCrypto
import AuditDomain
import AuditLog
import Foundation
import Testing

@testable import AuditReports

/// ReportWriter and LogVerification: each use case is one call, and each refusal carries its exit status.
@Suite struct ReportWriterTests {
    /// A scenario log on disk and a key pair written as `audit keygen` writes it.
    final class Setup {
        let directory: URL
        let logPath: String
        let key: GeneratedKey

        init(site: String = "site-1", deviation: Deviation? = nil) throws {
            directory = FileManager.default.temporaryDirectory.appending(path: "audit-writer-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            logPath = directory.appending(path: "audit.db").path
            let store = try SQLiteEventStore.create(at: logPath)
            _ = try SiteLog(store).append(ScenarioBuilder(site: site, deviation: deviation).build().drafts)
            key = try KeyLocation.generate(in: directory.appending(path: "keys"))
        }

        deinit { try? FileManager.default.removeItem(at: directory) }

        func out(_ name: String = "report") -> URL { directory.appending(path: name) }

        func write(site: String = "site-1", keyPath: String? = nil, to out: URL? = nil) throws(ReportError)
            -> WrittenReport
        {
            try ReportWriter().write(
                site: site, logPath: logPath, keyPath: keyPath ?? key.privateKey.path, to: out ?? self.out())
        }
    }

    @Test func aWrittenReportVerifiesWithItsPublicKey() throws {
        let setup = try Setup(deviation: .skipAddrRestore)
        let written = try setup.write()
        #expect(written.report.verdict == .fail)
        #expect(written.failingRules == ["dip.addr-restored", "dip.addr-parallel-valid"])
        #expect(written.report.keyID == setup.key.keyID)
        let verified = try ReportVerifier.verify(directory: written.directory, publicKeyPath: setup.key.publicKey.path)
        #expect(verified.site == "site-1")
    }

    @Test func aNonEmptyFolderIsRefusedBeforeTheKeyIsRead() throws {
        let setup = try Setup()
        let out = setup.out()
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: out.appending(path: "notes.txt"))
        // The key path does not exist: the folder refusal must come first.
        let error = #expect(throws: ReportError.self) { try setup.write(keyPath: "/nonexistent/key.pem", to: out) }
        #expect(error == .outputNotEmpty(path: out.path))
        #expect(error?.exitStatus == .refusingToOverwrite)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == ["notes.txt"])
    }

    @Test func aMissingKeyIsNotFoundAndWritesNothing() throws {
        let setup = try Setup()
        let error = #expect(throws: ReportError.self) {
            try setup.write(keyPath: setup.directory.appending(path: "none.pem").path)
        }
        #expect(error?.exitStatus == .notFound)
        #expect(!FileManager.default.fileExists(atPath: setup.out().path))
    }

    @Test func anUnknownSiteIsNotFoundAndWritesNothing() throws {
        let setup = try Setup()
        let error = #expect(throws: ReportError.self) { try setup.write(site: "nowhere") }
        #expect(error == .unknownSite("nowhere"))
        #expect(error?.exitStatus == .notFound)
        #expect(!FileManager.default.fileExists(atPath: setup.out().path))
    }

    @Test func aMissingLogIsNotFound() throws {
        let setup = try Setup()
        let error = #expect(throws: ReportError.self) {
            try ReportWriter().write(
                site: "site-1", logPath: setup.directory.appending(path: "none.db").path,
                keyPath: setup.key.privateKey.path, to: setup.out())
        }
        #expect(error?.exitStatus == .notFound)
    }

    @Test func theLogVerifiesAgainstItsOwnReport() throws {
        let setup = try Setup()
        let written = try setup.write()
        let report = written.directory.appending(path: ReportDirectory.jsonName).path
        let result = try LogVerification.verify(
            store: try SQLiteEventStore.open(at: setup.logPath), against: report,
            publicKeyPath: setup.key.publicKey.path)
        #expect(result.chain.isIntact)
        #expect(result.against?.matches == true)
        #expect(result.against?.consistency?.current.size == result.against?.checkpoint.size)
        #expect(result.against?.signatureChecked == true)
        #expect(result.failure == nil)
    }

    @Test func anotherLogsReportIsANo() throws {
        let setup = try Setup()
        let other = try Setup()
        let report = try other.write().directory.appending(path: ReportDirectory.jsonName).path
        let error = #expect(throws: LogVerificationFailure.self) {
            try LogVerification.verify(store: try SQLiteEventStore.open(at: setup.logPath), against: report)
        }
        #expect(error?.exitStatus == .no)
        #expect(error?.message.hasPrefix("the report is of log ") == true)
    }

    @Test func aMissingReportOrKeyIsNotFound() throws {
        let setup = try Setup()
        let store = try SQLiteEventStore.open(at: setup.logPath)
        let missing = setup.directory.appending(path: "nowhere/report.json").path
        let noReport = #expect(throws: LogVerificationFailure.self) {
            try LogVerification.verify(store: store, against: missing)
        }
        #expect(noReport?.exitStatus == .notFound)
        #expect(noReport?.message == "\(missing) is missing or unreadable")
        let report = try setup.write().directory.appending(path: ReportDirectory.jsonName).path
        let noKey = #expect(throws: LogVerificationFailure.self) {
            try LogVerification.verify(store: store, against: report, publicKeyPath: missing)
        }
        #expect(noKey?.exitStatus == .notFound)
    }
}
