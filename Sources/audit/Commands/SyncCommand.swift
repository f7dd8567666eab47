import ArgumentParser
import AuditCrypto
import AuditLog
import AuditReports
import AuditSyncClient
import Foundation

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Send the events the fleet collector lacks, then the signed checkpoint; store its cosignature.",
        discussion: "An unreachable collector is one line on stderr and exit 74; the next sync resumes.")

    @OptionGroup var log: LogOptions

    @Option(help: "The collector's base URL, e.g. http://collector.example:7390.")
    var to: String

    @Option(name: .long, help: "Private key PEM (default: $AUDIT_KEY, else the key 'audit keygen' writes).")
    var key: String?

    @Option(help: "The installer name the collector enrolled this key under (default: the log's installer).")
    var installer: String?

    @Option(help: "The collector's verifier key, to refuse any other (default: the one it announces).")
    var collectorKey: String?

    @Option(help: "Events per request, at most 2000 (the collector reads no more per chunk).")
    var chunk: Int = SyncClient.maximumChunkSize

    @Option(help: "Seconds to wait for each request.")
    var timeout: Double = 30

    @Option(help: "Times a request cut off or answered 5xx is sent again, with backoff (a 4xx never is).")
    var retries: Int = 6

    func validate() throws {
        guard (0...100).contains(retries) else { throw ValidationError("--retries is a number from 0 to 100") }
    }

    func run() async throws {
        let store = try log.open()
        let logInstaller = try store.installer()?.name
        guard let name = installer ?? logInstaller else {
            throw ValidationError("--installer is required: this log has no installer set")
        }
        let privateKey = try KeyFiles.loadPrivateKey(at: URL(fileURLWithPath: key ?? KeyLocation.defaultPrivateKey()))
        let client = try SyncClient(
            base: to, installer: name, key: privateKey, transport: SyncClient.transport(for: to, timeout: timeout),
            chunkSize: chunk, collectorKey: try collectorKey.map { try NoteVerifierKey(parsing: $0) },
            retry: SyncRetry(retries: retries))
        let outcome = try await client.sync(store: store)
        say(
            "synced \(outcome.sent) events to \(to): the collector holds \(outcome.size); "
                + "cosigned size \(outcome.cosigned.size) by \(outcome.cosigned.witness.name)")
    }
}
