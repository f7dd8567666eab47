import ArgumentParser
import AuditLog

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create a new, empty audit log.")

    @OptionGroup var log: LogOptions
    @OptionGroup var output: FormatOptions

    func run() throws {
        let store = try SQLiteEventStore.create(at: log.path)
        switch output.format {
        case .json: emit(["path": .string(store.path), "log_id": .string(store.logID)])
        case .text: print("created \(store.path)\nlog id \(store.logID)")
        }
    }
}
