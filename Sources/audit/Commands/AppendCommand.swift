import ArgumentParser
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
    @Option(help: "Who recorded it (default: $AUDIT_ACTOR, else the login name).") var actor: String?
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
        if perLine, let jsonl { return try appendPerLine(jsonl) }
        let drafts = try makeDrafts()
        let store = try log.open()
        let results: [AppendResult]
        do { results = try store.append(drafts, guard: SiteAdmission.check) } catch { throw CommandFailure(error) }
        results.forEach(acknowledge)
    }

    /// Each line is durable before its acknowledgement is printed; a bad line stops the feed.
    func appendPerLine(_ path: String) throws {
        let store = try log.open()
        let defaultActor = actor ?? LogLocation.defaultActor()
        var lineNumber = 0
        for line in try lines(path) {
            lineNumber += 1
            guard !line.allSatisfy(\.isWhitespace) else { continue }
            do {
                let drafts = try EventDraft.parseJSONLines(line, defaultActor: defaultActor)
                acknowledge(try store.append(drafts, guard: SiteAdmission.check)[0])
            } catch let error as JSONLinesError {
                throw CommandFailure("\(path == "-" ? "stdin" : path): line \(lineNumber): \(error.reason)", code: 65)
            } catch {
                throw CommandFailure("\(path == "-" ? "stdin" : path): line \(lineNumber): \(error)")
            }
        }
    }

    func lines(_ path: String) throws -> AnySequence<String> {
        if path == "-" { return AnySequence { AnyIterator { readLine(strippingNewline: true) } } }
        // isNewline also splits "\r\n", which Swift treats as one Character.
        return AnySequence(
            try readInput(path).split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init))
    }

    func acknowledge(_ result: AppendResult) {
        switch output.format {
        case .json: emit(["seq": .integer(result.seq), "hash": .string(result.hash.hex)])
        case .text:
            print("\(result.inserted ? "recorded" : "already recorded") seq \(result.seq) hash \(result.hash.hex)")
        }
        fflush(nil)
    }

    func makeDrafts() throws -> [EventDraft] {
        let defaultActor = actor ?? LogLocation.defaultActor()
        if let jsonl {
            let text = try readInput(jsonl)
            do { return try EventDraft.parseJSONLines(text, defaultActor: defaultActor) } catch {
                throw CommandFailure("\(jsonl == "-" ? "stdin" : jsonl): \(error)", code: 65)
            }
        }
        var value: JSONValue = [:]
        if let data {
            do { value = try JSONValue(parsing: data) } catch {
                throw ValidationError("--data is not valid JSON: \(error)")
            }
            guard case .object = value else { throw ValidationError("--data must be a JSON object") }
        }
        var observed: Timestamp?
        if let observedAt {
            guard let time = Timestamp(rfc3339: observedAt) else {
                throw ValidationError("--observed-at '\(observedAt)' is not an RFC 3339 time")
            }
            observed = time
        }
        var uuid = UUID.version7()
        if let eventID {
            do { uuid = try EventDraft.eventID(parsing: eventID) } catch {
                throw ValidationError("--event-id: \(error)")
            }
        }
        let draft = EventDraft(
            eventID: uuid, site: site!, stack: stack, type: type!, data: value, observedAt: observed,
            actor: defaultActor)
        do { try draft.validate() } catch { throw ValidationError("\(error)") }
        return [draft]
    }

    func readInput(_ path: String) throws -> String {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw CommandFailure("cannot read \(path)", code: 66)
            }
            data = contents
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CommandFailure("\(path == "-" ? "stdin" : path) is not UTF-8 text", code: 65)
        }
        return text
    }
}
