import ArgumentParser
import AuditCollector
import AuditCollectorServer
import AuditCore
import AuditCrypto
import AuditLog
import Foundation
import Logging

struct CollectorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collector",
        abstract: "The fleet collector: site logs synced from laptops into PostgreSQL, verified, witnessed, queried.",
        subcommands: [CollectorServeCommand.self, CollectorEnrollCommand.self, CollectorRevokeCommand.self])
}

/// `--database`, or `$AUDIT_COLLECTOR_DATABASE`.
struct DatabaseOption: ParsableArguments {
    @Option(help: "postgres://USER@HOST:PORT/DATABASE (default: $AUDIT_COLLECTOR_DATABASE).")
    var database: String?

    /// Opens the store with its client running for the duration of `body`, migrations applied.
    func withStore<T: Sendable>(_ body: (PostgresCollectorStore) async throws -> T) async throws -> T {
        let store = try store()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.client.run() }
            defer { group.cancelAll() }
            try await store.migrate()
            return try await body(store)
        }
    }

    func store() throws -> PostgresCollectorStore {
        guard let text = database ?? ProcessInfo.processInfo.environment["AUDIT_COLLECTOR_DATABASE"] else {
            throw ValidationError("--database or $AUDIT_COLLECTOR_DATABASE is required")
        }
        var logger = Logger(label: "audit-collector.db")
        logger.logLevel = .warning
        return PostgresCollectorStore(url: try DatabaseURL(parsing: text), logger: logger)
    }
}

struct CollectorServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Apply the migrations, then serve; print the collector's verifier key first.")

    @OptionGroup var database: DatabaseOption
    @Option(help: "HOST:PORT to listen on (port 0 picks a free port, printed once listening).")
    var listen: String = ProcessInfo.processInfo.environment["AUDIT_COLLECTOR_LISTEN"] ?? "127.0.0.1:7390"
    @Option(help: "The collector's Ed25519 private key PEM (default: $AUDIT_COLLECTOR_KEY).")
    var key: String?
    @Option(help: "The cosigning key name (default: audit-collector/<key id>).")
    var name: String?

    func run() async throws {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
            (0...65535).contains(port)
        else { throw ValidationError("--listen is HOST:PORT") }
        let host = String(listen[..<colon])
        guard let keyPath = key ?? ProcessInfo.processInfo.environment["AUDIT_COLLECTOR_KEY"] else {
            throw ValidationError("--key or $AUDIT_COLLECTOR_KEY is required")
        }
        let privateKey = try KeyFiles.loadPrivateKey(at: URL(fileURLWithPath: keyPath))
        let signer = try NoteSigner(
            name: name ?? Collector.defaultName(keyID: privateKey.keyID), type: .cosignatureV1, privateKey: privateKey)
        let store = try database.store()
        var logger = Logger(label: "audit-collector")
        logger.logLevel = .info
        // The client runs before the migrations: they need a connection, and the server needs them applied.
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.client.run() }
            try await store.migrate()
            group.cancelAll()
        }
        let serving = try database.store()
        let collector = try Collector(store: serving, signer: signer, reportKey: privateKey)
        say("collector key \(signer.verifierKey.description)")
        let app = CollectorServer.application(
            collector: collector, database: serving, host: host, port: port, logger: logger
        ) { bound in
            say("listening on \(host):\(bound)")
        }
        try await app.runService()
    }
}

struct CollectorEnrollCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll", abstract: "Register an installer's public signing key (audit keygen's .pub.pem).")

    @OptionGroup var database: DatabaseOption
    @Option(help: "The installer's name, as its requests will carry it.")
    var installer: String
    @Option(help: "The installer's signing-key.pub.pem.")
    var pubkey: String

    func run() async throws {
        guard !installer.isEmpty, installer.utf8.count <= 200, !installer.contains(where: \.isNewline) else {
            throw ValidationError("--installer is a name of 1 to 200 bytes on one line")
        }
        let key = try KeyFiles.loadPublicKey(at: URL(fileURLWithPath: pubkey))
        try await database.withStore { store in try await store.enroll(name: installer, publicKey: key) }
        print("enrolled \(installer) (key \(key.keyID))")
    }
}

struct CollectorRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Stop an installer's key for new syncs; what it sent is kept.")

    @OptionGroup var database: DatabaseOption
    @Option(help: "The installer's name.")
    var installer: String

    func run() async throws {
        try await database.withStore { store in try await store.revoke(name: installer) }
        print("revoked \(installer)")
    }
}
