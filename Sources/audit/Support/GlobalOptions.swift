import ArgumentParser
import AuditCore
import AuditDomain
import AuditLog
import Foundation

enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json
}

struct LogOptions: ParsableArguments {
    @Option(name: .long, help: "The log file (default: $AUDIT_DB, else $XDG_DATA_HOME/audit/audit.db).")
    var db: String?

    var path: String { db ?? LogLocation.defaultPath() }

    func open() throws -> SQLiteEventStore { try SQLiteEventStore.open(at: path) }

    /// The log as the domain writes and reads it: every append through the admission gate.
    func siteLog() throws -> SiteLog { SiteLog(try open()) }

    /// For commands that only read: nothing is written, so a log on read-only media or in a folder the auditor
    /// cannot write opens too.
    func openReadOnly() throws -> SQLiteEventStore { try SQLiteEventStore.openReadOnly(at: path) }

    /// The domain's view of a log opened read-only, for commands that only rebuild and judge.
    func readOnlySiteLog() throws -> SiteLog { SiteLog(try openReadOnly()) }

    /// Who records: `explicit` (`--actor`), else the log's installer (when the log exists), else `$AUDIT_ACTOR`,
    /// else the login name (`LogLocation.resolveActor`); a missing log is no installer, not an error here.
    func actor(_ explicit: String?) throws -> String { try Self.actor(explicit, logPath: path) }

    static func actor(_ explicit: String?, logPath: String) throws -> String {
        let installer =
            FileManager.default.fileExists(atPath: logPath) ? try SQLiteEventStore.open(at: logPath).installer() : nil
        return try LogLocation.resolveActor(explicit: explicit, installer: installer)
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

/// One line of text output with its controls escaped (`escapingControls`, as every error line is): a stored name
/// or LCD code is shown as it is stored and can neither drive the terminal nor start a line of its own.
func say(_ line: String) {
    print(line.escapingControls)
}

/// `1 stack`, `2 stacks`: the domain's one pluralisation.
func counted(_ count: Int, _ noun: String) -> String { Plural.count(count, noun) }

/// `--observed-at`: absent is now; a time that cannot be read is invalid input naming the option.
func parseObservedAt(_ text: String?) throws -> Timestamp? {
    guard let text else { return nil }
    guard let time = Timestamp(rfc3339: text) else {
        throw PresentedFailure(.invalidInput, "--observed-at '\(text)' is not an RFC 3339 time")
    }
    return time
}

/// `--event-id`: absent is a new time-ordered id; text that is no UUID is invalid input naming the option.
func parseEventID(_ text: String?) throws -> UUID {
    guard let text else { return .version7() }
    do { return try EventDraft.eventID(parsing: text) } catch {
        throw PresentedFailure(context: "--event-id", error)
    }
}

/// One warning line on stderr: what went less well than it could, while the command still succeeds.
func warn(_ line: String) {
    StandardStream.error.write("audit: warning: \(oneLineMessage(PresentedFailure(.success, line)))\n")
}
