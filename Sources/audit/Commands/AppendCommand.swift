import ArgumentParser
import AuditCore
import AuditDomain
import AuditLog
import Foundation

struct AppendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Append one event, or a JSON Lines batch all or nothing.")

    @OptionGroup var log: LogOptions
    @OptionGroup var output: FormatOptions

    @Option(help: "The site the event belongs to.") var site: String?
    @Option(help: "The event type, e.g. note.added.") var type: String?
    @Option(help: "The stack id, when the event concerns one stack.") var stack: String?
    @Option(help: "The event's data: a JSON object.") var data: String?
    @Option(name: .customLong("observed-at"), help: "When it happened on site (RFC 3339); default now.")
    var observedAt: String?
    @Option(help: "Who recorded it (default: the log's installer, else $AUDIT_ACTOR, else the login name).")
    var actor: String?
    @Option(name: .customLong("event-id"), help: "A client UUID; appending it again records nothing new.")
    var eventID: String?
    @Option(help: "Append every line of a JSON Lines file ('-' for stdin) in one transaction.")
    var jsonl: String?
    @Flag(
        name: .customLong("per-line"),
        help: "With --jsonl: commit and acknowledge each line on its own, for long-running feeds.")
    var perLine = false

    func validate() throws {
        if perLine, jsonl == nil { throw ValidationError("--per-line needs --jsonl") }
        if jsonl != nil {
            let single: [String?] = [site, type, stack, data, observedAt, eventID]
            guard single.allSatisfy({ $0 == nil }) else {
                throw ValidationError("--jsonl cannot be combined with single-event options")
            }
        } else {
            guard site != nil, type != nil else { throw ValidationError("--site and --type are required") }
        }
    }

    func run() throws {
        let store = try self.log.open()
        let log = SiteLog(store)
        let defaultActor = try LogLocation.resolveActor(explicit: actor, installer: try store.installer())
        var lines = AcknowledgementLines(format: output.format)
        defer { lines.flush() }
        guard let jsonl else {
            lines.write(try log.append(try makeDraft(actor: defaultActor)))
            lines.flush()
            return try lines.checkWritten(recorded: "the event is recorded")
        }
        let source = JSONLinesSource(argument: jsonl)
        if perLine {
            // Each line's acknowledgement is written at once, so a reader sees each commit live; the first one
            // that cannot be written stops the feed: nobody would see what comes after.
            try log.feed(from: source, defaultActor: defaultActor) { result in
                lines.write(result)
                lines.flush()
                try lines.checkWritten(recorded: "this line and the ones before it are recorded; the feed stops here")
            }
        } else {
            // A batch is acknowledged only after commit, all at once: one flush at the end, not one per line.
            try log.appendBatch(from: source, defaultActor: defaultActor) { lines.write($0) }
        }
        lines.flush()
        try lines.checkWritten(recorded: "the events are recorded ('audit log' lists them)")
    }

    /// The single event the options describe; a value that parses as text but is not valid input names its option.
    func makeDraft(actor defaultActor: String) throws -> EventDraft {
        var value: JSONValue = [:]
        if let data {
            do { value = try JSONValue(parsing: data) } catch {
                throw PresentedFailure(.invalidInput, "--data is not valid JSON: \(error)")
            }
            guard case .object = value else { throw PresentedFailure(.invalidInput, "--data must be a JSON object") }
        }
        let draft = EventDraft(
            eventID: try parseEventID(eventID), site: site!, stack: stack, type: type!, data: value,
            observedAt: try parseObservedAt(observedAt),
            actor: defaultActor)
        do { try draft.validate() } catch { throw PresentedFailure(.invalidInput, "\(error)") }
        return draft
    }
}
