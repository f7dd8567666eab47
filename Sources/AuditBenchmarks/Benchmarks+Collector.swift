import AuditCollector
import AuditDomain
import AuditLog
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `audit-bench collector`: a throwaway PostgreSQL, the real `audit-server collector serve` and `audit sync`
/// processes (built beside audit-bench), each figure beside its raw baseline from the same run.
enum CollectorBenchmark {
    struct Options {
        var events = 1_000_000
        var sites = 2_000
        var chunk = 2_000
        var queryRuns = 20
    }

    static func run(_ arguments: [String]) async throws {
        var options = Options()
        var iterator = arguments.makeIterator()
        while let flag = iterator.next() {
            guard let value = iterator.next().flatMap(Int.init), value > 0 else { usage() }
            switch flag {
            case "--events": options.events = value
            case "--sites": options.sites = value
            case "--chunk": options.chunk = value
            case "--runs": options.queryRuns = value
            default: usage()
            }
        }
        let binaries =
            Bundle.main.executableURL?.deletingLastPathComponent()
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let audit = binaries.appending(path: "audit").path
        let server = binaries.appending(path: "audit-server").path
        for tool in [audit, server] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw BenchError("\(tool) is not built: swift build -c release (tools/bench.sh collector does it)")
        }
        let directory = FileManager.default.temporaryDirectory.appending(path: "audit-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        print("audit collector benchmark (\(ProcessInfo.processInfo.activeProcessorCount) cores, load \(load()))")

        // The laptop's log: `sites` procedure runs one after another, every tenth leaving ADDR unrestored.
        let (db, logID, total, failing) = try makeLog(options, in: directory)
        print("log: \(total) events over \(options.sites) sites (\(failing) failing dip.addr-restored)")

        let postgres = try BenchPostgres()
        defer { postgres.stop() }
        try postgres.createDatabase("collector")
        try postgres.createDatabase("baseline")
        let keys = directory.appending(path: "keys").path
        try Shell.check(audit, ["keygen", "--out", keys + "/collector"])
        try Shell.check(audit, ["keygen", "--out", keys + "/laptop"])
        try Shell.check(
            server,
            [
                "collector", "enroll", "--database", postgres.url("collector"), "--installer", "bench", "--pubkey",
                keys + "/laptop/signing-key.pub.pem",
            ])
        let collector = try CollectorChild(
            server: server, database: postgres.url("collector"), key: keys + "/collector/signing-key.pem",
            log: directory.appending(path: "collector.log").path)
        defer { collector.kill() }

        // Ingest: the whole log through `audit sync`, against COPY of the same rows into the same table.
        let loadBefore = load()
        let syncArguments = [
            "sync", "--db", db, "--to", collector.url, "--key", keys + "/laptop/signing-key.pem",
            "--installer", "bench", "--chunk", String(options.chunk),
        ]
        let sync = try Benchmarks.seconds { try Shell.check(audit, syncArguments) }
        let held = try postgres.psql("collector", ["-c", "SELECT count(*), max(seq) FROM event"])
        guard held == "\(total)|\(total)" else { throw BenchError("the collector holds \(held), not \(total) events") }
        let loadAfterSync = load()
        // A sync with nothing new: the state, one held event again, and the checkpoint (its root from the range).
        let resync = try Benchmarks.seconds { try Shell.check(audit, syncArguments) }
        let copy = try copyBaseline(db: db, logID: logID, postgres: postgres, in: directory)
        Benchmarks.line(
            "collector ingest (sync)", ours: Double(total) / sync, baseline: Double(total) / copy, unit: "ev/s",
            target: "≥50% of COPY and ≥50000 ev/s")
        print(
            "  sync \(ms(sync)) ms, COPY \(ms(copy)) ms; load before \(loadBefore), after sync \(loadAfterSync), after COPY \(load())"
        )
        print(
            "re-sync, nothing new         ours \(ms(resync)) ms | the laptop hashes its \(total) leaves, the collector checks its compact range | target none"
        )

        // Queries over HTTP, on the synced fleet: the failing filter and the dashboard's first page.
        let session = URLSession(configuration: .ephemeral)
        let filter = try await timed(session, collector.url + "/v1/sites?failing=dip.addr-restored", options) {
            body in
            let sites = try JSONValue(parsing: Array(body))["sites"]?.arrayValue ?? []
            guard sites.count == failing else { throw BenchError("\(sites.count) failing sites, not \(failing)") }
        }
        let sql = try sqlBaseline(postgres, options)
        print(
            "sites failing dip.addr-restored ours \(ms(filter)) ms over HTTP | psql \(ms(sql)) ms (process included) | \(options.sites) sites, \(total) events | target <50 ms"
        )
        let page = try await timed(session, collector.url + "/", options) { body in
            guard String(decoding: body, as: UTF8.self).contains("<tr class=\"site\">") else {
                throw BenchError("the dashboard shows no site")
            }
        }
        let health = try await timed(session, collector.url + "/health", options) { _ in }
        print(
            "dashboard first page        ours \(ms(page)) ms over HTTP | GET /health \(ms(health)) ms | target <200 ms")
        print("  load at the end \(load())")
    }

    static func usage() -> Never {
        FileHandle.standardError.write(
            Data("usage: audit-bench collector [--events N] [--sites N] [--chunk N] [--runs N]\n".utf8))
        exit(64)
    }

    /// /proc/loadavg's three averages.
    static func load() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "? ? ?"
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    static func ms(_ seconds: Double) -> String { String(format: "%.1f", seconds * 1000) }

    static func makeLog(_ options: Options, in directory: URL) throws -> (String, String, Int64, Int) {
        let perSite = max(1, options.events / options.sites)
        var stackCount = 2
        while stackCount < 64, ScenarioBuilder(site: "probe", stackCount: stackCount).build().drafts.count < perSite {
            stackCount += 1
        }
        let path = directory.appending(path: "laptop.db").path
        let store = try SQLiteEventStore.create(at: path, options: .init(synchronous: .normal))
        var pending: [EventDraft] = []
        var failing = 0
        for index in 0..<options.sites {
            let fails = index % 10 == 0
            if fails { failing += 1 }
            pending +=
                ScenarioBuilder(
                    site: "site-\(index)", stackCount: stackCount, deviation: fails ? .skipAddrRestore : nil
                ).build().drafts
            if pending.count >= 100_000 || index == options.sites - 1 {
                _ = try store.append(pending)
                pending.removeAll(keepingCapacity: true)
            }
        }
        return (path, store.logID, try store.head().size, failing)
    }

    /// COPY FROM STDIN (CSV) of the log's rows into the same `event` table, migrated the same way, in another
    /// database of the same cluster; returns its seconds.
    static func copyBaseline(db: String, logID: String, postgres: BenchPostgres, in directory: URL) throws -> Double {
        for file in CollectorMigrations.files { try postgres.psql("baseline", [], input: file.contents) }
        try postgres.psql(
            "baseline",
            [
                "-c",
                "INSERT INTO installer (name, public_key) VALUES ('bench', repeat('0', 64)); "
                    + "INSERT INTO log (log_id, installer, head) VALUES ('\(logID)', 'bench', repeat('0', 64))",
            ])
        var csv = Data()
        csv.reserveCapacity(600 * 1_000_000)
        func field(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        try SQLiteEventStore.open(at: db).scan(EventFilter()) { event in
            let columns = [
                field(logID), String(event.seq), field(event.eventID), field(event.site),
                event.stack.map(field) ?? "", field(event.type), field(event.payload),
                field(event.observedAt.rfc3339), field(event.recordedAt.rfc3339), field(event.actor),
                field(event.prevHash.hex), field(event.hash.hex),
            ]
            csv.append(contentsOf: Array((columns.joined(separator: ",") + "\n").utf8))
            return true
        }
        let file = directory.appending(path: "events.csv")
        try csv.write(to: file)
        let columns =
            "log_id, seq, event_id, site, stack, type, payload, observed_at, recorded_at, actor, prev_hash, hash"
        let seconds = try Benchmarks.seconds {
            try Shell.check(
                "\(BenchPostgres.binaries)/psql",
                [
                    postgres.url("baseline"), "-XAtq", "-v", "ON_ERROR_STOP=1", "-c",
                    "COPY event (\(columns)) FROM STDIN WITH (FORMAT csv)",
                ], stdin: file.path)
        }
        let copied = try postgres.psql("baseline", ["-c", "SELECT count(*) FROM event"])
        let synced = try postgres.psql("collector", ["-c", "SELECT count(*) FROM event"])
        guard copied == synced else {
            throw BenchError("COPY stored \(copied) rows")
        }
        return seconds
    }

    /// The median of `queryRuns` GETs after one warm-up, each answer checked by `check`.
    static func timed(
        _ session: URLSession, _ url: String, _ options: Options, check: (Data) throws -> Void
    ) async throws -> Double {
        guard let target = URL(string: url) else { throw BenchError("bad URL \(url)") }
        var times: [Double] = []
        for run in 0...options.queryRuns {
            let start = ContinuousClock.now
            let (body, response) = try await session.data(from: target)
            let elapsed = ContinuousClock.now - start
            guard (response as? HTTPURLResponse)?.statusCode == 200 else { throw BenchError("GET \(url) failed") }
            try check(body)
            if run > 0 {
                times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            }
        }
        return times.sorted()[times.count / 2]
    }

    /// The same filter as one psql run (connection and process start included): the floor of any answer.
    static func sqlBaseline(_ postgres: BenchPostgres, _ options: Options) throws -> Double {
        var times: [Double] = []
        for _ in 0..<max(3, options.queryRuns / 4) {
            times.append(
                try Benchmarks.seconds {
                    try postgres.psql(
                        "collector", ["-c", "SELECT * FROM site WHERE failing @> ARRAY['dip.addr-restored']"])
                })
        }
        return times.sorted()[times.count / 2]
    }
}

/// `audit-server collector serve` as a child: started on a free port, its URL read from its first lines.
final class CollectorChild {
    let process = Process()
    let url: String

    init(server: String, database: String, key: String, log: String) throws {
        process.executableURL = URL(fileURLWithPath: server)
        process.arguments = ["collector", "serve", "--database", database, "--listen", "127.0.0.1:0", "--key", key]
        let output = Pipe()
        process.standardOutput = output
        guard FileManager.default.createFile(atPath: log, contents: nil),
            let errors = FileHandle(forWritingAtPath: log)
        else { throw BenchError("cannot write \(log)") }
        process.standardError = errors
        try process.run()
        var text = ""
        while !text.contains("listening on ") || !text.hasSuffix("\n") {
            let data = output.fileHandleForReading.availableData
            guard !data.isEmpty else { throw BenchError("the collector stopped: see \(log)") }
            text += String(decoding: data, as: UTF8.self)
        }
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }) else {
            throw BenchError("the collector printed no address")
        }
        url = "http://" + line.dropFirst("listening on ".count)
    }

    func kill() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}
