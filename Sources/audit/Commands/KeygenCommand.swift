import ArgumentParser
import AuditReports
import Foundation

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen", abstract: "Make an Ed25519 key pair for signing reports; never overwrites a key.")

    @Option(name: .long, help: "Directory for the key pair (default: $XDG_CONFIG_HOME/audit, else ~/.config/audit).")
    var out: String?

    @OptionGroup var output: FormatOptions

    func run() throws {
        let directory = URL(fileURLWithPath: out ?? KeyLocation.defaultDirectory())
        let key = try KeyLocation.generate(in: directory)
        switch output.format {
        case .json:
            emit([
                "key_id": .string(key.keyID), "private_key": .string(key.privateKey.path),
                "public_key": .string(key.publicKey.path), "completed_interrupted": .bool(key.completedInterrupted),
            ])
        case .text:
            if key.completedInterrupted {
                say("note: finished the key pair an interrupted keygen left (the public key was missing)")
            }
            say("key id \(key.keyID)")
            say("private key \(key.privateKey.path)")
            say("public key \(key.publicKey.path)")
        }
    }
}
