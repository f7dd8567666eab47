import ArgumentParser
import AuditCollector
import AuditCollectorServer
import AuditCore
import AuditCrypto
import AuditLog
import AuditWitness
import AuditWitnessServer
import Foundation
import Logging

/// Server roles, apart from `audit` so the technician's binary carries no HTTP server.
@main
struct AuditServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit-server", abstract: "Server roles for audit logs.",
        subcommands: [WitnessCommand.self, CollectorCommand.self])

    static func main() async {
        StandardStream.reserveClosedDescriptors()
        // Logs go to stderr: stdout carries only the key and the address, for whoever started the server.
        LoggingSystem.bootstrap { label in StreamLogHandler.standardError(label: label) }
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let error as any AuditFailure {
            StandardStream.error.write("audit-server: \(oneLineMessage(error))\n")
            Foundation.exit(error.exitStatus.rawValue)
        } catch {
            exit(withError: error)
        }
    }
}

struct WitnessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "witness", abstract: "A tlog-witness (c2sp.org/tlog-witness) that cosigns audit checkpoints.",
        subcommands: [ServeCommand.self, TrustCommand.self])
}

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve add-checkpoint; print the witness's verifier key first.")

    @Option(help: "HOST:PORT to listen on (port 0 picks a free port, printed once listening).")
    var listen: String = "127.0.0.1:7380"
    @Option(help: "The witness's Ed25519 private key PEM.")
    var key: String
    @Option(help: "The witness state file (SQLite; created when absent).")
    var state: String
    @Option(help: "The cosigning key name (default: audit-witness/<key id>).")
    var name: String?

    func run() async throws {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
            (0...65535).contains(port)
        else { throw ValidationError("--listen is HOST:PORT") }
        let host = String(listen[..<colon])
        let privateKey = try KeyFiles.loadPrivateKey(at: URL(fileURLWithPath: key))
        let signer = try NoteSigner(
            name: name ?? Witness.defaultName(keyID: privateKey.keyID), type: .cosignatureV1, privateKey: privateKey)
        let witness = try Witness(signer: signer, state: try SQLiteWitnessState(path: state))
        var logger = Logger(label: "audit-witness")
        logger.logLevel = .info
        say("witness key \(signer.verifierKey.description)")
        let app = WitnessServer.application(witness: witness, host: host, port: port, logger: logger) { bound in
            say("listening on \(host):\(bound)")
        }
        try await app.runService()
    }
}

struct TrustCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trust", abstract: "Trust a log: its origin and its verifier key (audit key show).")

    @Argument(help: "The log's origin line, e.g. audit.local/log/<log id>.")
    var origin: String
    @Argument(help: "The log's verifier key string, named after the origin.")
    var vkey: String
    @Option(help: "The witness state file (SQLite; created when absent).")
    var state: String

    func run() throws {
        let log = try TrustedLog(origin: origin, key: try NoteVerifierKey(parsing: vkey))
        try SQLiteWitnessState(path: state).trust(log)
        print("trusting \(origin)")
    }
}

/// One line on stdout, unbuffered: a supervisor (or a test) reads the key and the port as soon as they are known.
func say(_ line: String) {
    StandardStream.output.write(line + "\n")
}
