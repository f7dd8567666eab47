import ArgumentParser
import AuditLog

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log", abstract: "List events, oldest first.")

    @OptionGroup var log: LogOptions
    @OptionGroup var output: FormatOptions

    @Option(help: "Only this site.") var site: String?
    @Option(help: "Only this event type.") var type: String?
    @Option(help: "Only events after this seq.") var after: Int64?
    @Option(help: "At most this many events.") var limit: Int?

    func validate() throws {
        if let after, after < 0 { throw ValidationError("--after must be 0 or more") }
        if let limit, limit < 1 { throw ValidationError("--limit must be 1 or more") }
    }

    func run() throws {
        let store = try log.openReadOnly()
        let filter = EventFilter(site: site, type: type, afterSeq: after, limit: limit)
        let header = {
            guard output.format == .text else { return }
            say(
                "SEQ".padding(6) + "OBSERVED_AT".padding(25) + "SITE".padding(12) + "STACK".padding(7)
                    + "TYPE".padding(26) + "DATA")
        }
        try store.list(filter, start: header) { event in
            switch output.format {
            case .json: emit(event.json)
            case .text:
                say(
                    String(event.seq).padding(6) + event.observedAt.rfc3339.padding(25) + event.site.padding(12)
                        + (event.stack ?? "-").padding(7) + event.type.padding(26) + event.payload)
            }
        }
    }
}

extension String {
    /// Left-aligns in a column, keeping at least one space before the next.
    func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
