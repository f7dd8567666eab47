import ArgumentParser
import AuditLog
import Foundation

enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json
}

struct LogOptions: ParsableArguments {
    @Option(name: .long, help: "The log file (default: $AUDIT_DB, else $XDG_DATA_HOME/audit/audit.db).")
    var db: String?

    var path: String { db ?? LogLocation.defaultPath() }

    func open() throws -> SQLiteEventStore {
        do { return try SQLiteEventStore.open(at: path) } catch { throw CommandFailure(error) }
    }
}

struct FormatOptions: ParsableArguments {
    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text
}

/// Writes one line of output; JSON output is canonical, one object per line.
func emit(_ value: JSONValue) {
    print(value.canonicalText)
}
