import AuditCrypto
import AuditLog
import Foundation
import GRDBSQLite

/// Each benchmark prints our figure beside the raw baseline it is measured against, from the same run.
@main
struct Benchmarks {
    static let usage = """
        usage: audit-bench [user] [--batch N] [--durable N] [--verify N] [--sites N] [--history N]
               audit-bench collector [--events N] [--sites N] [--chunk N] [--runs N]

        """

    static func main() async {
        // exit() flushes what was printed, so the figures measured before a failure are not lost with it.
        do { try await measure() } catch {
            FileHandle.standardError.write(Data("audit-bench: \(error)\n".utf8))
            exit(1)
        }
    }

    static func measure() async throws {
        let arguments = CommandLine.arguments
        if arguments.count == 3, arguments[1] == "--verify-child" { return try verifyChild(path: arguments[2]) }
        if arguments.count >= 2, arguments[1] == "collector" {
            return try await CollectorBenchmark.run(Array(arguments.dropFirst(2)))
        }
        // `audit-bench user ...` runs only the user-path lines (whole `audit` processes).
        let userOnly = arguments.count > 1 && arguments[1] == "user"
        let options = Options(arguments: Array(arguments.dropFirst(userOnly ? 2 : 1)))
        let directory = FileManager.default.temporaryDirectory.appending(path: "audit-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // AUDIT_BENCH_KEEP=1 keeps the logs for a closer look (a profile, a second run of one command).
        let keep = ProcessInfo.processInfo.environment["AUDIT_BENCH_KEEP"] != nil
        defer {
            if keep { print("kept \(directory.path)") } else { try? FileManager.default.removeItem(at: directory) }
        }
        print("audit benchmarks (\(ProcessInfo.processInfo.activeProcessorCount) cores); each line: ours | baseline")
        if userOnly { return try userPath(options, in: directory) }
        try batchedAppend(options.batchEvents, in: directory)
        try durableAppend(options.durableEvents, in: directory)
        try verify(options.verifyEvents, in: directory)
        try fold(options, in: directory)
        try siteRebuild(options, in: directory)
        try userPath(options, in: directory)
    }

    struct Options {
        var batchEvents = 200_000
        var durableEvents = 2_000
        var verifyEvents = 1_000_000
        var sites = 2_000
        var historyEvents = 100_000

        init(arguments: [String]) {
            var iterator = arguments.makeIterator()
            while let flag = iterator.next() {
                let value = iterator.next().flatMap(Int.init) ?? 0
                switch flag {
                case "--batch": batchEvents = value
                case "--durable": durableEvents = value
                case "--verify": verifyEvents = value
                case "--sites": sites = value
                case "--history": historyEvents = value
                default:
                    FileHandle.standardError.write(
                        Data(Benchmarks.usage.utf8))
                    exit(64)
                }
            }
        }
    }

    static func drafts(_ count: Int, sites: Int = 2_000, start: Int = 0) -> [EventDraft] {
        (start..<start + count).map { index in
            EventDraft(
                site: "site-\(index % sites)", stack: "S\(index % 4 + 1)", type: "dip.observed",
                data: ["v": 2, "bank": "addr", "position": "UDDDDD", "n": .integer(Int64(index))],
                observedAt: Timestamp(millisecondsSinceEpoch: 1_764_000_000_000 + Int64(index)), actor: "bench")
        }
    }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = ContinuousClock.now
        try body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// SHA-256 alone over each row's chain message: the hashing floor of a chain walk.
    static func hashingSeconds(_ messages: (bytes: [UInt8], ranges: [Range<Int>])) -> Double {
        let hasher = SHA256Hasher()
        return seconds {
            for range in messages.ranges {
                messages.bytes.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[range])) }
                _ = hasher.finalize()
            }
        }
    }

    static func line(_ name: String, ours: Double, baseline: Double, unit: String, target: String) {
        let ratio = baseline > 0 ? ours / baseline * 100 : 0
        print(
            "\(name.padding(toLength: 28, withPad: " ", startingAt: 0)) ours \(format(ours)) \(unit) | raw \(format(baseline)) \(unit) | \(String(format: "%.0f", ratio))% of raw | target \(target)"
        )
    }

    static func format(_ value: Double) -> String {
        value >= 10_000 ? String(format: "%.0f", value) : String(format: "%.1f", value)
    }

    static func batchedAppend(_ count: Int, in directory: URL) throws {
        let drafts = drafts(count)
        let store = try SQLiteEventStore.create(at: directory.appending(path: "batch.db").path)
        let ours = try seconds { _ = try store.append(drafts) }
        let rows = try store.events(EventFilter())
        let rawPath = directory.appending(path: "batch-raw.db").path
        _ = try SQLiteEventStore.create(at: rawPath)
        let raw = try RawSQLite(path: rawPath, synchronous: "FULL")
        let prepared = RawSQLite.prepare(rows)
        let baseline = try seconds { try raw.insert(prepared, batch: count) }
        line(
            "batched append", ours: Double(count) / ours, baseline: Double(count) / baseline, unit: "ev/s",
            target: "≥70% and ≥100000 ev/s")
    }

    /// Alternates rounds of ours and raw so both see the same disk conditions; reports the median round of each.
    static func durableAppend(_ count: Int, in directory: URL) throws {
        let rounds = 5
        let perRound = max(1, count / rounds)
        let store = try SQLiteEventStore.create(at: directory.appending(path: "durable.db").path)
        let rawPath = directory.appending(path: "durable-raw.db").path
        _ = try SQLiteEventStore.create(at: rawPath)
        let raw = try RawSQLite(path: rawPath, synchronous: "FULL")
        var ours: [Double] = []
        var baseline: [Double] = []
        for round in 0..<rounds {
            let drafts = drafts(perRound, start: round * perRound)
            ours.append(try seconds { for draft in drafts { _ = try store.append(draft) } })
            let rows = RawSQLite.prepare(try store.events(EventFilter(afterSeq: Int64(round * perRound))))
            baseline.append(try seconds { try raw.insert(rows, batch: 1) })
        }
        let median = { (values: [Double]) in values.sorted()[values.count / 2] }
        line(
            "durable append (FULL)", ours: Double(perRound) / median(ours),
            baseline: Double(perRound) / median(baseline),
            unit: "ev/s", target: "≥80%")
    }

    static func verify(_ count: Int, in directory: URL) throws {
        let path = directory.appending(path: "verify.db").path
        let store = try SQLiteEventStore.create(at: path, options: .init(synchronous: .normal))
        var written = 0
        while written < count {
            let chunk = min(100_000, count - written)
            _ = try store.append(drafts(chunk, start: written))
            written += chunk
        }
        // Verify runs in a child so its peak RSS is its own, not the benchmark's.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["--verify-child", path]
        let pipe = Pipe()
        child.standardOutput = pipe
        try child.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        child.waitUntilExit()
        let fields = output.split(separator: " ").compactMap {
            Double($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        guard fields.count == 2 else { throw BenchError("verify child failed: \(output)") }
        let baseline = hashingSeconds(try RawSQLite(path: path, synchronous: "NORMAL").chainMessages())
        line(
            "verify", ours: Double(count) / fields[0], baseline: Double(count) / baseline, unit: "ev/s",
            target: "≥1500000 ev/s")
        try consistencyProof(store: store, path: path, count: count)
        print(
            "verify peak RSS              \(String(format: "%.1f", fields[1] / 1024)) MB over \(count) events | target <64 MB"
        )
    }

    /// What `audit witness submit` costs on a large log: the checkpoint and a consistency proof from half its size.
    static func consistencyProof(store: SQLiteEventStore, path: String, count: Int) throws {
        let half = Int64(count / 2)
        var proofLength = 0
        let ours = try seconds {
            proofLength = ((try store.consistencyProofs(from: [half]).proofs[half]) ?? nil)?.count ?? 0
        }
        let raw = try RawSQLite(path: path, synchronous: "NORMAL")
        var read = 0
        let baseline = try seconds { read = try raw.readHashes() }
        guard proofLength > 0, read == count * 64 else { throw BenchError("consistency benchmark read too little") }
        print(
            "checkpoint + consistency    ours \(String(format: "%.2f", ours)) s | reading the \(count) leaves "
                + "\(String(format: "%.2f", baseline)) s | \(String(format: "%.0f", ours / baseline * 100))% of the read"
        )
    }

    static func verifyChild(path: String) throws {
        let store = try SQLiteEventStore.open(at: path)
        var result: ChainVerification?
        let elapsed = try seconds { result = try store.verify() }
        guard let result, result.isIntact else { throw BenchError("chain not intact") }
        print("\(elapsed) \(peakRSSKilobytes())")
    }

    static func peakRSSKilobytes() -> Double {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }
}
