import AuditCrypto
import AuditDomain
import AuditLog
import Foundation
import GRDBSQLite

/// The path a user takes: whole `audit` processes, each beside its raw baseline from the same run.
extension Benchmarks {
    static func userPath(_ options: Options, in directory: URL) throws {
        let audit = try auditBinary()
        let drafts = scenarioSites(events: options.verifyEvents, sites: options.sites)
        let input = directory.appending(path: "batch.jsonl").path
        try writeJSONLines(drafts, to: input)
        let inputSize = (try FileManager.default.attributesOfItem(atPath: input)[.size] as? Int) ?? 0
        let db = directory.appending(path: "user.db").path
        try run(audit, ["init", "--db", db, "--installer", "bench"]).expectSuccess("audit init")
        let append = try run(audit, ["append", "--db", db, "--jsonl", input])
        try append.expectSuccess("audit append --jsonl")
        let store = try SQLiteEventStore.open(at: db)
        let rows = RawSQLite.prepare(try store.events(EventFilter()))
        guard rows.count == drafts.count else { throw BenchError("append --jsonl stored \(rows.count) events") }
        let rawPath = directory.appending(path: "user-raw.db").path
        _ = try SQLiteEventStore.create(at: rawPath)
        let raw = try RawSQLite(path: rawPath, synchronous: "FULL")
        let baseline = try seconds { try raw.insert(rows, batch: rows.count) }
        line(
            "append --jsonl (process)", ours: Double(rows.count) / append.seconds,
            baseline: Double(rows.count) / baseline, unit: "ev/s", target: "≥70%")
        print(
            "append --jsonl peak RSS      \(megabytes(append.peakKiB)) MB for \(rows.count) events, "
                + "\(megabytes(inputSize / 1024)) MB of input | target <100 MB")
        try verifyProcess(audit, db: db, count: rows.count)
        try reportProcess(audit, db: db, site: "site-\(options.sites / 2)", in: directory)
        try singleAppends(audit, history: options.historyEvents, in: directory)
    }

    /// `audit verify` as a process, beside a raw sqlite3 scan of the columns it reads and SHA-256 of its bytes.
    static func verifyProcess(_ audit: String, db: String, count: Int) throws {
        let ours = try run(audit, ["verify", "--db", db])
        try ours.expectSuccess("audit verify")
        let raw = try RawSQLite(path: db, synchronous: "NORMAL")
        var scanned = 0
        let scan = try seconds { scanned = try raw.scanChainColumns() }
        guard scanned == count else { throw BenchError("raw scan read \(scanned) rows") }
        let hashing = hashingSeconds(try raw.chainMessages())
        line(
            "verify (process)", ours: Double(count) / ours.seconds, baseline: Double(count) / scan, unit: "ev/s",
            target: "≥90% of the raw scan")
        print(
            "verify (process) vs SHA-256  ours \(format(Double(count) / ours.seconds)) ev/s | SHA-256 alone "
                + "\(format(Double(count) / hashing)) ev/s | peak RSS \(megabytes(ours.peakKiB)) MB")
    }

    /// `audit report --site X` on the large log, beside reading the log's leaves (the Merkle tree's floor).
    static func reportProcess(_ audit: String, db: String, site: String, in directory: URL) throws {
        let keys = directory.appending(path: "keys").path
        try run(audit, ["keygen", "--out", keys]).expectSuccess("audit keygen")
        let out = directory.appending(path: "report").path
        let ours = try run(
            audit, ["report", "--db", db, "--site", site, "--key", keys + "/signing-key.pem", "--out", out])
        try ours.expectSuccess("audit report")
        let raw = try RawSQLite(path: db, synchronous: "NORMAL")
        var read = 0
        let leaves = try seconds { read = try raw.readHashes() }
        guard read > 0 else { throw BenchError("no leaves read") }
        print(
            "report --site (process)      ours \(String(format: "%.2f", ours.seconds)) s, peak RSS "
                + "\(megabytes(ours.peakKiB)) MB | reading the leaves \(String(format: "%.2f", leaves)) s | "
                + "\(String(format: "%.0f", ours.seconds / leaves * 100))% of the read")
    }

    /// Single `audit append` processes at synchronous=FULL, alternating between a site holding `history` events
    /// and a site holding one: the rate must not depend on the history.
    static func singleAppends(_ audit: String, history: Int, in directory: URL) throws {
        let db = directory.appending(path: "single.db").path
        let store = try SQLiteEventStore.create(at: db, options: .init(synchronous: .normal))
        let log = SiteLog(store)
        let power = DomainEvent.powerObserved(PowerObserved(state: .off))
        for site in ["big", "small"] {
            guard let registration = ScenarioBuilder(site: site, stackCount: 2).build().drafts.first,
                registration.type == EventType.siteRegistered.rawValue
            else { throw BenchError("a scenario starts with its registration") }
            _ = try log.append(registration)
        }
        var written = 0
        while written < history {
            let count = min(10_000, history - written)
            _ = try log.append(
                (0..<count).map { _ in power.draft(site: "big", stack: "S1", observedAt: nil, actor: "bench") })
            written += count
        }
        let data = power.draft(site: "big", stack: "S1", observedAt: nil, actor: "bench").data.canonicalText
        var times: [String: [Double]] = ["big": [], "small": []]
        for round in 0..<60 {
            let site = round % 2 == 0 ? "big" : "small"
            let result = try run(
                audit,
                [
                    "append", "--db", db, "--actor", "bench", "--site", site, "--stack", "S1", "--type",
                    "power.observed", "--data", data,
                ])
            try result.expectSuccess("audit append")
            times[site]!.append(result.seconds)
        }
        let median = { (values: [Double]) in values.sorted()[values.count / 2] }
        let big = 1 / median(times["big"]!)
        let small = 1 / median(times["small"]!)
        print(
            "single append (process)      \(history)-event site \(format(big))/s | 1-event site \(format(small))/s | "
                + "\(String(format: "%.0f", big / small * 100))% | target 100% (the same rate)")
    }

    static func writeJSONLines(_ drafts: [EventDraft], to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw BenchError("cannot create \(path)")
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        var chunk = ""
        for draft in drafts {
            chunk += draft.jsonLine
            chunk += "\n"
            if chunk.utf8.count > 1 << 20 {
                try handle.write(contentsOf: Data(chunk.utf8))
                chunk = ""
            }
        }
        try handle.write(contentsOf: Data(chunk.utf8))
        try handle.close()
    }

    /// The `audit` built beside this benchmark (tools/bench.sh builds both).
    static func auditBinary() throws -> String {
        let path = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appending(path: "audit").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw BenchError("no audit binary at \(path): build it first (swift build -c release --product audit)")
        }
        return path
    }

    static func megabytes(_ kib: Int) -> String { String(format: "%.1f", Double(kib) / 1024) }

    struct ChildRun {
        var status: Int32
        var seconds: Double
        /// The child's own peak resident set, from wait4's rusage.
        var peakKiB: Int

        func expectSuccess(_ what: String) throws {
            guard status == 0 else {
                let stderr = (try? String(contentsOfFile: Benchmarks.childStderr, encoding: .utf8)) ?? ""
                throw BenchError("\(what) exited \(status): \(stderr)")
            }
        }
    }

    /// Where the last child's stderr goes, for the message when it fails.
    static let childStderr = FileManager.default.temporaryDirectory.appending(path: "audit-bench-child.stderr").path

    /// Starts each measured child from a small Python launcher and reads the child's rusage from wait4 there.
    /// Not posix_spawn from here: Linux charges a vfork'd child that execs with the parent's peak RSS (exec_mmap
    /// keeps the old mm's high-water mark), so this benchmark's own memory would show as the child's.
    static let launcher = """
        import os, sys, time
        out, err, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
        actions = [(os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0),
                   (os.POSIX_SPAWN_OPEN, 2, err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)]
        start = time.monotonic()
        pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        elapsed = time.monotonic() - start
        with open(out, "w") as f:
            f.write(f"{os.waitstatus_to_exitcode(status)} {elapsed} {usage.ru_maxrss}\\n")
        """

    /// Runs a child with stdout to /dev/null and stderr to `childStderr`: its exit status, wall time and peak RSS.
    static func run(_ executable: String, _ arguments: [String]) throws -> ChildRun {
        let result = FileManager.default.temporaryDirectory.appending(path: "audit-bench-\(UUID().uuidString).result")
            .path
        defer { try? FileManager.default.removeItem(atPath: result) }
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", launcher, result, childStderr, executable] + arguments
        try python.run()
        python.waitUntilExit()
        let fields = try String(contentsOfFile: result, encoding: .utf8).split(separator: " ")
        guard python.terminationStatus == 0, fields.count == 3, let status = Int32(fields[0]),
            let seconds = Double(fields[1]), let peak = Int(fields[2].trimmingCharacters(in: .whitespacesAndNewlines))
        else { throw BenchError("the launcher failed for \(executable)") }
        return ChildRun(status: status, seconds: seconds, peakKiB: peak)
    }
}

extension RawSQLite {
    /// Steps through every row reading the columns verify hashes, and nothing else: the floor of a chain walk.
    func scanChainColumns() throws -> Int {
        let sql =
            "SELECT seq, event_id, site, stack, type, payload, observed_at, recorded_at, actor, prev_hash, hash FROM events ORDER BY seq"
        let statement = try prepare(sql)
        defer { sqlite3_finalize(statement) }
        var rows = 0
        var bytes = 0
        while sqlite3_step(statement) == SQLITE_ROW {
            _ = sqlite3_column_int64(statement, 0)
            for column in Int32(1)...10 {
                _ = sqlite3_column_text(statement, column)
                bytes &+= Int(sqlite3_column_bytes(statement, column))
            }
            rows += 1
        }
        return bytes > 0 ? rows : 0
    }
}
