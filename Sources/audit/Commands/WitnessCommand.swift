import ArgumentParser
import AuditCore
import AuditCrypto
import AuditLog
import AuditReports
import AuditWitnessClient
import Foundation

struct WitnessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "witness", abstract: "The transparency witnesses that cosign this log's checkpoints.",
        subcommands: [
            WitnessAddCommand.self, WitnessListCommand.self, WitnessRemoveCommand.self, WitnessSubmitCommand.self,
        ])
}

struct WitnessAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a witness: its cosignature verifier key and its tlog-witness URL.")

    @OptionGroup var log: LogOptions

    @Argument(help: "The witness's verifier key, NAME+KEYID+KEY (type 04, cosignature/v1).")
    var vkey: String

    @Option(help: "The witness's base URL; <URL>/add-checkpoint is posted to.")
    var url: String

    func run() throws {
        let key = try NoteVerifierKey(parsing: vkey)
        try WitnessURL.check(url)
        try log.open().addWitness(LogWitness(key: key, url: url))
        say("witness \(key.name) added at \(url)")
    }
}

struct WitnessListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the witnesses and the size each last cosigned.")

    @OptionGroup var log: LogOptions
    @OptionGroup var output: FormatOptions

    func run() throws {
        let witnesses = try log.openReadOnly().witnesses()
        switch output.format {
        case .json:
            for witness in witnesses {
                emit([
                    "name": .string(witness.name), "verifier_key": .string(witness.key.description),
                    "url": .string(witness.url),
                    "cosigned_size": witness.cosignedSize.map { .integer($0) } ?? .null,
                ])
            }
        case .text:
            for witness in witnesses {
                let size = witness.cosignedSize.map { "size \($0)" } ?? "nothing cosigned yet"
                say("\(witness.name) \(witness.url) \(size)")
            }
        }
    }
}

struct WitnessRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Stop submitting to a witness; its cosignatures stay in the log.")

    @OptionGroup var log: LogOptions

    @Argument(help: "The witness's name (the key name of its verifier key).")
    var name: String

    func run() throws {
        try log.open().removeWitness(named: name)
        say("witness \(name) removed")
    }
}

struct WitnessSubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Send the current checkpoint to every witness and store the cosignatures they return.",
        discussion: "An unreachable witness gets one line on stderr and exit 74; the next submit catches up.")

    @OptionGroup var log: LogOptions

    @Option(name: .long, help: "Private key PEM (default: $AUDIT_KEY, else the key 'audit keygen' writes).")
    var key: String?

    @Option(help: "Seconds to wait for each witness.")
    var timeout: Double = 10

    func run() async throws {
        let privateKey = try KeyFiles.loadPrivateKey(at: URL(fileURLWithPath: key ?? KeyLocation.defaultPrivateKey()))
        let outcomes = try await WitnessSubmission.submit(
            store: try log.open(), key: privateKey, transport: URLSessionWitnessTransport(timeout: timeout))
        var worst: SysExit = .success
        for outcome in outcomes {
            switch outcome.result {
            case .success(let cosigned):
                say("cosigned by \(outcome.witness.name): size \(cosigned.size) at \(cosigned.cosignedAt)")
            case .failure(let error):
                StandardStream.error.write("audit: \(oneLineMessage(error))\n")
                // Unreachable wins: it is the one status a caller retries on.
                if worst != .ioError { worst = error.exitStatus }
            }
        }
        if worst != .success { throw ExitCode(worst.rawValue) }
    }
}
