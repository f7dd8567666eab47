import AuditCrypto
import AuditDomain
import AuditLog
import Foundation
import GRDBSQLite

#if canImport(Glibc)
    import Glibc
#endif

/// The path a user takes: whole `audit` processes, each beside its raw baseline from the same run.
extension Benchmarks {
    static func userPath(_ options: Options, in directory: URL) throws {
        let audit = try auditBinary()
        let drafts = scenarioSites(events: options.verifyEvents, sites: options.sites)
        let input = directory.appending(path: "batch.jsonl").path
        try writeJSONLines(drafts, to: input)
        let inputSize = (try FileManager.default.attributesOfItem(atPath: input)[.size] as? Int) ?? 0
        let db = directory.appending(path: "user.db").path
        try run(audit, ["init", "--db", db]).expectSuccess("audit init")
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
        let messages = try raw.chainMessages()
        let hasher = SHA256Hasher()
        let hashing = seconds {
            for range in messages.ranges {
                messages.bytes.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[range])) }
                _ = hasher.finalize()
            }
        }
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
        try run(audit, ["keygen", "--dir", keys]).expectSuccess("audit keygen")
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
                ["append", "--db", db, "--site", site, "--stack", "S1", "--type", "power.observed", "--data", data])
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
            guard status == 0 else { throw BenchError("\(what) exited \(status)") }
        }
    }

    /// Runs a child with stdout and stderr to /dev/null and waits with wait4, for its wall time and peak RSS.
    /// posix_spawn rather than Foundation's Process: Process does not report the child's rusage.
    static func run(_ executable: String, _ arguments: [String]) throws -> ChildRun {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let start = ContinuousClock.now
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw BenchError("cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw BenchError("wait4 failed") }
        }
        let elapsed = ContinuousClock.now - start
        let exited = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return ChildRun(
            status: exited,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
            peakKiB: usage.ru_maxrss)
    }
}

extension RawSQLite {
    /// Steps through every row reading the columns verify hashes, and nothing else: the floor of a chain walk.
    func scanChainColumns() throws -> Int {
        var statement: OpaquePointer?
        let sql =
            "SELECT seq, event_id, site, stack, type, payload, observed_at, recorded_at, actor, prev_hash, hash FROM events ORDER BY seq"
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw BenchError(String(cString: sqlite3_errmsg(handle)))
        }
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
