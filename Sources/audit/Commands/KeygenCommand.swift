import ArgumentParser
import AuditCrypto
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
        let key: Ed25519PrivateKey
        let files: (privateKey: URL, publicKey: URL)
        do {
            key = try Ed25519PrivateKey.generate()
            files = try KeyFiles.write(privateKey: key, to: directory)
        } catch { throw CommandFailure(error) }
        switch output.format {
        case .json:
            emit([
                "key_id": .string(key.keyID), "private_key": .string(files.privateKey.path),
                "public_key": .string(files.publicKey.path),
            ])
        case .text:
            print("key id \(key.keyID)\nprivate key \(files.privateKey.path)\npublic key \(files.publicKey.path)")
        }
    }
}
