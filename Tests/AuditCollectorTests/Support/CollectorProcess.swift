import AuditCrypto
import AuditDomain
import AuditLog
import AuditReports
import AuditTestSupport
import Foundation
import Subprocess
import Testing

/// A real `audit-server collector serve` over a fresh database of the shared test cluster.
struct CollectorFixture: Sendable {
    var database: String
    var keyPath: String

    /// The collector key's public half, as `audit keygen` writes it beside the private key.
    var publicKeyPath: String {
        URL(fileURLWithPath: keyPath).deletingLastPathComponent().appending(path: KeyFiles.publicKeyFileName).path
    }

    /// A new database (of the shared cluster unless `cluster` is given) and a collector key in `scratch`.
    static func make(
        in scratch: borrowing TemporaryDirectory, cluster: PostgresCluster = .shared
    ) async throws -> CollectorFixture {
        let keys = try KeyLocation.generate(in: scratch.url.appending(path: "collector-keys"))
        return CollectorFixture(database: try await cluster.database(), keyPath: keys.privateKey.path)
    }

    /// The running collector as a test sees it: its URL, its verifier key, and SIGKILL at will.
    struct Running: Sendable {
        var url: String
        var vkey: String
        var port: Int
        /// Sends SIGKILL now; `serve` still expects the process to end by it.
        var kill: @Sendable () -> Void
    }

    /// Runs the collector for the duration of `body`, then kills it with SIGKILL.
    func serve(_ body: (_ url: String, _ vkey: String) async throws -> Void) async throws {
        try await serve(port: 0) { running in try await body(running.url, running.vkey) }
    }

    /// Runs the collector on `port` (0: a free one) for the duration of `body`, then kills it with SIGKILL.
    func serve(port: Int, _ body: (Running) async throws -> Void) async throws {
        let result = try await Subprocess.run(
            .path(.init(Run.serverPath)),
            arguments: [
                "collector", "serve", "--database", database, "--listen", "127.0.0.1:\(port)", "--key", keyPath,
            ],
            environment: Run.environment, input: .none, output: .sequence, error: .discarded
        ) { execution in
            var text = ""
            var iterator = execution.standardOutput.makeAsyncIterator()
            while !text.contains("listening on ") || !text.hasSuffix("\n") {
                guard let buffer = try await iterator.next() else { break }
                text += buffer.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
            }
            defer { try? execution.send(signal: .kill) }
            let lines = text.split(separator: "\n").map(String.init)
            let vkey = try #require(lines.first { $0.hasPrefix("collector key ") }).dropFirst("collector key ".count)
            let address = try #require(lines.first { $0.hasPrefix("listening on ") }).dropFirst("listening on ".count)
            let bound = try #require(address.split(separator: ":").last.flatMap { Int($0) })
            let running = Running(
                url: "http://\(address)", vkey: String(vkey), port: bound,
                kill: { try? execution.send(signal: .kill) })
            return try await body(running)
        }
        #expect(result.terminationStatus == .signaled(SIGKILL))
    }

    /// One SQL answer through psql, trimmed: the tests read the collector's tables the way an operator would.
    func sql(_ statement: String) async throws -> String {
        let result = try await Run.tool("psql", [database, "-XAtc", statement])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func enroll(_ installer: String, publicKey: String) async throws {
        let result = try await Run.server([
            "collector", "enroll", "--database", database, "--installer", installer, "--pubkey", publicKey,
        ])
        #expect(result.status == 0, "\(result.stderr)")
    }
}

/// A laptop: a log on disk with domain sites, the installer's key pair, the installer set.
struct Laptop: Sendable {
    var db: String
    var privateKey: String
    var publicKey: String
    var logID: String

    static func make(
        in scratch: borrowing TemporaryDirectory, name: String = "laptop",
        sites: [(String, Deviation?)] = [("site-1", nil)]
    ) throws -> Laptop {
        try make(
            in: scratch, name: name,
            drafts: sites.flatMap { ScenarioBuilder(site: $0.0, deviation: $0.1).build().drafts })
    }

    /// A laptop whose log holds `drafts`, appended through the domain's one append path.
    static func make(in scratch: borrowing TemporaryDirectory, name: String = "laptop", drafts: [EventDraft]) throws
        -> Laptop
    {
        let db = scratch.path("\(name).db")
        let store = try SQLiteEventStore.create(at: db)
        _ = try SiteLog(store).append(drafts)
        let keys = try KeyLocation.generate(in: scratch.url.appending(path: "\(name)-keys"))
        return Laptop(db: db, privateKey: keys.privateKey.path, publicKey: keys.publicKey.path, logID: store.logID)
    }

    func sync(to url: String, installer: String = "ann", extra: [String] = []) async throws -> Run.Result {
        try await Run.audit(
            ["sync", "--db", db, "--to", url, "--key", privateKey, "--installer", installer] + extra)
    }
}
