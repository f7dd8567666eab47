import ArgumentParser
import AuditReports

struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Print the log's current checkpoint as a C2SP signed note, signed under the log's origin.")

    @OptionGroup var log: LogOptions

    @Option(name: .long, help: "Private key PEM (default: $AUDIT_KEY, else the key 'audit keygen' writes).")
    var key: String?

    func run() throws {
        let note = try CheckpointNotes.current(logPath: log.path, keyPath: key ?? KeyLocation.defaultPrivateKey())
        print(note.serialized, terminator: "")
    }
}

struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "Show a signing key's ids.", subcommands: [KeyShowCommand.self])
}

struct KeyShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print the key id and the C2SP verifier key string a witness or auditor is given.")

    @OptionGroup var log: LogOptions

    @Option(name: .long, help: "Private key PEM (default: $AUDIT_KEY, else the key 'audit keygen' writes).")
    var key: String?

    @Option(name: .long, help: "The note key name (default: the origin of the log, audit.local/log/<log id>).")
    var origin: String?

    @OptionGroup var output: FormatOptions

    func run() throws {
        let shown = try CheckpointNotes.verifierKey(
            keyPath: key ?? KeyLocation.defaultPrivateKey(), origin: origin, logPath: log.path)
        switch output.format {
        case .json:
            emit([
                "key_id": .string(shown.keyID), "origin": .string(shown.verifierKey.name),
                "verifier_key": .string(shown.verifierKey.description),
            ])
        case .text:
            say("key id \(shown.keyID)")
            say("verifier key \(shown.verifierKey.description)")
        }
    }
}
