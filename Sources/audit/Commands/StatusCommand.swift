import ArgumentParser
import AuditDomain
import AuditLog

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show a site's state rebuilt from the log: one row per stack.")

    @OptionGroup var log: LogOptions
    @OptionGroup var output: FormatOptions
    @Option(help: "The site.") var site: String

    func run() throws {
        let state = try log.readOnlySiteLog().state(site: site)
        if output.format == .json { return emit(state.json) }
        let procedure = state.procedure.map {
            "\($0.value.procedureID) \($0.value.procedureVersion), target \($0.value.targetVersion)"
        }
        say(
            "site \(state.site): phase \(state.phase), procedure \(procedure ?? "not started"), "
                + counted(state.eventCount, "event"))
        let header = [
            "STACK", "ORD", "SERIAL", "POWER", "ADDR ORIG>NOW", "INV ORIG>NOW", "FIRMWARE", "PUSH", "LCD", "ERRORS",
        ]
        let rows = state.stacks.map { stack -> [String] in
            func track(_ track: DIPTrack) -> String {
                "\(track.original?.value.description ?? "?")>\(track.now?.value.description ?? "?")"
            }
            return [
                stack.id, stack.order.map(String.init) ?? "-", stack.serial ?? "-",
                stack.power?.value.rawValue ?? "?", track(stack.addr), track(stack.inv),
                "\(stack.versionBefore?.value ?? "?")>\(stack.versionAfter?.value ?? "?")",
                stack.pushStatus.rawValue, stack.lcd?.value.description ?? "-",
                stack.openErrors.isEmpty ? "-" : stack.openErrors.map(\.value.description).joined(separator: ","),
            ]
        }
        printTable([header] + rows)
        say("links now: \(state.links.keys.sorted().map(\.description).joined(separator: " ").nonEmpty ?? "none")")
        say(
            "links originally: \(state.originalLinks.keys.sorted().map(\.description).joined(separator: " ").nonEmpty ?? "none")"
        )
    }
}

/// Left-aligned columns, two spaces apart.
func printTable(_ rows: [[String]]) {
    guard let first = rows.first else { return }
    let widths = first.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
    for row in rows {
        say(row.enumerated().map { $1.padding(widths[$0] + 1) }.joined(separator: " ").trimmingTrailingSpaces())
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }

    func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
