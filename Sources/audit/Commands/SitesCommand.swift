import ArgumentParser
import AuditDomain
import AuditLog

struct SitesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sites", abstract: "List every site in the log: its phase, last activity and verdict.")

    @OptionGroup var log: LogOptions
    @OptionGroup var output: FormatOptions

    func run() throws {
        let sites = try log.readOnlySiteLog().sites()
        switch output.format {
        case .json:
            for site in sites {
                emit([
                    "site": .string(site.site), "phase": site.phase.map { .string($0.rawValue) } ?? .null,
                    "events": .integer(Int64(site.eventCount)), "last_seq": .integer(site.lastSeq),
                    "last_activity": .string(site.lastActivity.rfc3339),
                    "verdict": site.verdict.map { .string($0.rawValue) } ?? .null,
                ])
            }
        case .text:
            let header = ["SITE", "PHASE", "EVENTS", "LAST ACTIVITY", "VERDICT"]
            let rows = sites.map { site in
                [
                    site.site, site.phase?.rawValue ?? "-", String(site.eventCount), site.lastActivity.rfc3339,
                    site.verdict?.rawValue.uppercased() ?? "-",
                ]
            }
            printTable([header] + rows)
        }
    }
}
