import AuditTestSupport
import Foundation
import Testing

/// Issue 11: no empty or truncated firmware image is ever pushed.
@Suite struct FirmwareImageTests {
    func runArguments(_ db: String, _ image: String) -> [String] {
        [
            "run", "--db", db, "--site", "site-f", "--firmware", image, "--target-version", "4007", "--transport",
            "sim", "--sim-stacks", "1",
        ]
    }

    @Test func aZeroByteImageIsRefusedBeforeTheLogIsTouched() async throws {
        let scratch = try TemporaryDirectory()
        let db = scratch.path("audit.db")
        let image = scratch.path("empty.bin")
        #expect(FileManager.default.createFile(atPath: image, contents: Data()))
        let result = try await CLI.audit(runArguments(db, image))
        #expect(result.status == 65, "\(result.stderr)")
        expectOneLineError(result, contains: "firmware image \(image) is empty (0 bytes); nothing was pushed")
        #expect(!FileManager.default.fileExists(atPath: db))
    }

    /// A FIFO as the image is refused at once; `timeout` bounds the hang an open(2) of it would be.
    @Test func aFIFOAsTheImageIsRefusedAtOnce() async throws {
        let scratch = try TemporaryDirectory()
        let db = scratch.path("audit.db")
        let image = scratch.path("image.fifo")
        #expect(mkfifo(image, 0o600) == 0)
        let result = try await CLI.run("timeout", ["120", CLI.auditPath] + runArguments(db, image))
        #expect(result.status == 65, "\(result.stderr)")
        expectOneLineError(result, contains: "is not a regular file")
        #expect(!FileManager.default.fileExists(atPath: db))
    }

    static func imageDigest(_ db: String) async throws -> String {
        let result = try await CLI.sqlite(
            db, "SELECT json_extract(payload, '$.image_sha256') FROM events WHERE type = 'procedure.started'")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A truncated image an interrupted demo left beside the log is replaced, not pushed.
    @Test func aDemoReplacesATruncatedImageItFindsBesideTheLog() async throws {
        let scratch = try TemporaryDirectory()
        let clean = scratch.path("clean/audit.db")
        #expect(try await CLI.audit(["demo", "--db", clean, "--stacks", "1"]).status == 0)
        let expected = try await Self.imageDigest(clean)
        let full = try Data(contentsOf: URL(fileURLWithPath: scratch.path("clean/demo-firmware-4007.bin")))
        try FileManager.default.createDirectory(atPath: scratch.path("next"), withIntermediateDirectories: false)
        let truncated = scratch.path("next/demo-firmware-4007.bin")
        try full.prefix(100).write(to: URL(fileURLWithPath: truncated))
        let db = scratch.path("next/audit.db")
        let result = try await CLI.audit(["demo", "--db", db, "--stacks", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(expected.count == 64)
        #expect(try await Self.imageDigest(db) == expected)
        #expect(try Data(contentsOf: URL(fileURLWithPath: truncated)) == full)
    }
}

/// A full disk, as a 1 MiB tmpfs with every block taken: said in the system's words, nothing half-written left.
@Suite(.enabled(if: getuid() == 0, "mounting a small tmpfs needs root; CI runs as root"))
struct FullDiskTests {
    /// Mounts a 1 MiB tmpfs at `scratch/disk` holding `files` (copied in first), then fills it.
    static func fullDisk(in scratch: borrowing TemporaryDirectory, holding files: [String] = []) async throws -> String
    {
        let disk = scratch.path("disk")
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: false)
        let mounted = try await CLI.run("mount", ["-t", "tmpfs", "-o", "size=1M", "tmpfs", disk])
        try #require(mounted.status == 0, "cannot mount a tmpfs: \(mounted.stderr)")
        for file in files {
            try FileManager.default.copyItem(atPath: file, toPath: disk + "/" + (file as NSString).lastPathComponent)
        }
        // dd stops at the end of the disk: every block is then taken.
        _ = try await CLI.run("dd", ["if=/dev/zero", "of=\(disk)/fill", "bs=4096"])
        return disk
    }

    @Test func aFullDiskDuringTheDemoLeavesNoTruncatedImage() async throws {
        let scratch = try TemporaryDirectory()
        let disk = try await Self.fullDisk(in: scratch)
        // MNT_DETACH (2): the folder can be removed after the test whatever still holds it.
        defer { _ = umount2(disk, 2) }
        let db = disk + "/audit.db"
        let full = try await CLI.audit(["demo", "--db", db, "--stacks", "1"])
        #expect(full.status == 74, "\(full.stderr)")
        expectOneLineError(full, contains: "No space left on device")
        #expect(try FileManager.default.contentsOfDirectory(atPath: disk) == ["fill"])
        try FileManager.default.removeItem(atPath: disk + "/fill")
        let next = try await CLI.audit(["demo", "--db", db, "--stacks", "1"])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.stdoutLines.last?.hasPrefix("verdict: PASS") == true, "\(next.stdout)")
    }

    @Test func aFullDiskDuringAReportSaysNoSpaceLeftOnDevice() async throws {
        let scratch = try TemporaryDirectory()
        let db = try makeScenarioLog(in: scratch)
        let keys = try await makeKeys(in: scratch)
        let disk = try await Self.fullDisk(in: scratch, holding: [db])
        defer { _ = umount2(disk, 2) }
        // The folder on the full disk, the log elsewhere; then the log itself on the full disk.
        for (log, out) in [(db, disk + "/r"), (disk + "/audit.db", scratch.path("r"))] {
            let result = try await CLI.audit([
                "report", "--db", log, "--site", "site-1", "--key", keys.privateKey, "--out", out,
            ])
            #expect(result.status == 74, "\(result.stderr)")
            expectOneLineError(result, contains: "o space left on device")
            #expect(!result.stderr.contains("disk I/O error"), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: disk).sorted()
        // No staging folder is left behind (SQLite's empty -wal and -shm may stay beside the log).
        #expect(left.filter { !$0.hasPrefix("audit.db") } == ["fill"], "\(left)")
    }
}
