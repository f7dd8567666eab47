import AuditCrypto
import AuditTestSupport
import Foundation
import Testing

/// A log on read-only media, as an auditor meets an archived copy: the file and its folder cannot be written, and
/// every command that only reads still works, with no WAL side file left behind and the file's bytes unchanged.
@Suite struct ReadOnlyLogTests {
    /// Root writes through any mode bits, so as root the commands run as `nobody`, for whom `chmod -w` holds.
    static let asReader: [String] =
        getuid() == 0 ? ["--reuid=65534", "--regid=65534", "--clear-groups", CLI.auditPath] : [CLI.auditPath]

    static func reader(_ arguments: [String]) async throws -> ProcessResult {
        getuid() == 0
            ? try await CLI.run("setpriv", asReader + arguments) : try await CLI.audit(arguments)
    }

    @Test func everyReadingCommandWorksOnALogThatCannotBeWritten() async throws {
        let scratch = try TemporaryDirectory()
        let db = try await makeLog(in: scratch, events: 10)
        let keygen = try await CLI.audit(["keygen", "--out", scratch.path("keys")])
        try #require(keygen.status == 0, "\(keygen.stderr)")
        let keyLine = try #require(keygen.stdoutLines.first { $0.hasPrefix("private key ") })
        let key = String(keyLine.dropFirst("private key ".count))
        // The reader owns its key (a private key stays 0600); it owns nothing of the log.
        if getuid() == 0 {
            #expect(chown(key, 65534, 65534) == 0)
            #expect(chown(scratch.path("keys"), 65534, 65534) == 0)
        }
        let before = try Digest.sha256(fileAt: db)
        #expect(chmod(db, 0o444) == 0)
        #expect(chmod(scratch.url.path, 0o555) == 0)
        defer { chmod(scratch.url.path, 0o755) }

        let verify = try await Self.reader(["verify", "--db", db])
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.hasPrefix("intact: 10 events, head "), "\(verify.stdout)")
        let log = try await Self.reader(["log", "--db", db])
        #expect(log.status == 0, "\(log.stderr)")
        #expect(log.stdoutLines.filter { $0.contains("reading.taken") }.count == 10, "\(log.stdout)")
        let sites = try await Self.reader(["sites", "--db", db])
        #expect(sites.status == 0, "\(sites.stderr)")
        #expect(sites.stdout.contains("site-a"))
        for command in [["status", "--site", "site-a"], ["check", "--site", "site-a"], ["witness", "list"]] {
            let result = try await Self.reader(command + ["--db", db])
            #expect(result.status == 0, "\(command): \(result.stderr)")
            #expect(result.stderr.isEmpty, "\(command): \(result.stderr)")
        }
        let checkpoint = try await Self.reader(["checkpoint", "--db", db, "--key", key])
        #expect(checkpoint.status == 0, "\(checkpoint.stderr)")
        #expect(checkpoint.stdoutLines.dropFirst().first == "10", "\(checkpoint.stdout)")
        let shown = try await Self.reader(["key", "show", "--db", db, "--key", key])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.hasPrefix("key id "))

        // Nothing was created beside the log, and the log is the same bytes.
        let left = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).sorted()
        #expect(left == ["audit.db", "keys"])
        #expect(try Digest.sha256(fileAt: db) == before)
    }

    /// A copy taken while a writer had commits only in its -wal: they are never skipped, the refusal says why.
    @Test func aCopyWhoseWALHoldsCommitsIsRefusedWithTheReason() async throws {
        let scratch = try TemporaryDirectory()
        let db = try await makeLog(in: scratch, events: 3)
        let archive = scratch.path("archive")
        let script = """
            import shutil, sqlite3, sys
            db, archive = sys.argv[1], sys.argv[2]
            con = sqlite3.connect(db)
            con.execute("PRAGMA wal_autocheckpoint = 0")
            con.execute("CREATE TABLE later_commit (x)")
            con.commit()
            shutil.copytree(sys.argv[3], archive, ignore=shutil.ignore_patterns("*-shm", "archive"))
            con.close()
            """
        let copy = try await CLI.run("python3", ["-c", script, db, archive, scratch.url.path])
        try #require(copy.status == 0, "\(copy.stderr)")
        let copied = archive + "/audit.db"
        try #require(FileManager.default.fileExists(atPath: copied + "-wal"))
        #expect(chmod(copied, 0o444) == 0)
        #expect(chmod(copied + "-wal", 0o444) == 0)
        #expect(chmod(archive, 0o555) == 0)
        defer { chmod(archive, 0o755) }
        let result = try await Self.reader(["verify", "--db", copied])
        #expect(result.status == 74)
        expectOneLineError(result, contains: "its -wal file holds commits not yet in the log file")
        #expect(try FileManager.default.contentsOfDirectory(atPath: archive).sorted() == ["audit.db", "audit.db-wal"])
    }

    @Test func aWriterIsStillRefusedWithOneLine() async throws {
        let scratch = try TemporaryDirectory()
        let db = try await makeLog(in: scratch, events: 2)
        #expect(chmod(db, 0o444) == 0)
        #expect(chmod(scratch.url.path, 0o555) == 0)
        defer { chmod(scratch.url.path, 0o755) }
        let line = #"{"site":"site-a","type":"reading.taken","data":{"n":3}}"#
        let arguments = ["append", "--db", db, "--jsonl", "-", "--actor", "auditor"]
        let result =
            getuid() == 0
            ? try await CLI.run("setpriv", Self.asReader + arguments, stdin: line)
            : try await CLI.audit(arguments, stdin: line)
        #expect(result.status == 74, "\(result.stderr)")
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        #expect(try await RunFixtures.eventCount(db) == 2)
    }
}
