import ArgumentParser
import AuditLog
import AuditReports
import AuditSyncClient
import Foundation

/// Where the collector is and how long to wait for it.
struct CollectorOptions: ParsableArguments {
    @Option(help: "The collector's base URL, e.g. http://collector.example:7390.")
    var collector: String

    @Option(help: "Seconds to wait for each request.")
    var timeout: Double = 30

    func client() throws -> FleetClient {
        try FleetClient(base: collector, transport: URLSessionSyncTransport(timeout: timeout))
    }
}

struct FleetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Ask a fleet collector about the sites synced to it: by verdict, rule, installer, firmware, date.",
        discussion: """
            `audit fleet --collector URL [filters]` lists the sites passing every filter; \
            `audit fleet --collector URL site LOG SITE` shows one site's verdict and events; \
            `audit fleet --collector URL report LOG SITE [--out DIR]` writes the site's report as the collector \
            signed it with its own key, for `audit verify-report --pubkey COLLECTOR.pub.pem`. \
            A site the collector does not hold exits 66. An unreachable collector is one line on stderr and exit 74.
            """)

    @OptionGroup var options: CollectorOptions

    @Option(help: "pass, fail, unverifiable or unreadable.")
    var verdict: String?

    @Option(help: "Sites failing this rule, e.g. dip.addr-restored.")
    var failing: String?

    @Option(help: "Sites synced by this installer.")
    var installer: String?

    @Option(help: "Sites with a stack on this firmware version.")
    var firmware: String?

    @Option(help: "Sites whose last event was observed at or after this RFC 3339 time.")
    var since: String?

    @Option(help: "Sites whose last event was observed before this RFC 3339 time.")
    var until: String?

    @Flag(help: "Only sites whose last event no collector checkpoint covers yet.")
    var notWitnessed = false

    @Flag(help: "Only sites of logs found rewritten after an earlier sync.")
    var fork = false

    @Option(help: "At most this many sites.")
    var limit: Int?

    @Argument(help: "`site LOG SITE` for one site of one log, or `report LOG SITE` for its collector-signed report.")
    var target: [String] = []

    @Option(help: "With `report LOG SITE`: the folder to write, new or empty (default: named after the site).")
    var out: String?

    @OptionGroup var output: FormatOptions

    var filtered: Bool {
        [verdict, failing, installer, firmware, since, until].contains { $0 != nil } || notWitnessed || fork
            || limit != nil
    }

    func validate() throws {
        if !target.isEmpty {
            guard target.count == 3, ["site", "report"].contains(target[0]) else {
                throw ValidationError("after the options only `site LOG SITE` or `report LOG SITE` may follow")
            }
            if filtered { throw ValidationError("filters do not go with `\(target[0]) LOG SITE`") }
        }
        if out != nil, target.first != "report" { throw ValidationError("--out goes with `report LOG SITE`") }
        for (name, value) in [("--since", since), ("--until", until)] {
            if let value, Timestamp(rfc3339: value) == nil {
                throw ValidationError("\(name) is an RFC 3339 time, e.g. 2026-05-01T00:00:00Z")
            }
        }
        if let limit, limit < 0 { throw ValidationError("--limit is a count") }
    }

    func run() async throws {
        if target.count == 3, target[0] == "report" {
            return try await FleetSite.writeReport(
                client: options.client(), logID: target[1], site: target[2], out: out, format: output.format)
        }
        if target.count == 3 {
            return try await FleetSite.show(
                client: options.client(), logID: target[1], site: target[2], format: output.format)
        }
        let filter = FleetFilter(
            verdict: verdict, failing: failing, installer: installer, firmware: firmware, since: since, until: until,
            witnessed: notWitnessed ? false : nil, forked: fork ? true : nil, limit: limit)
        let sites = try await options.client().sites(filter)
        switch output.format {
        case .json: for site in sites { emit(site) }
        case .text:
            let header = ["SITE", "LOG", "INSTALLER", "VERDICT", "FAILING", "FIRMWARE", "WITNESSED", "LAST EVENT"]
            let rows = sites.map { site -> [String] in
                let fork = site["fork_detected"]?.boolValue == true ? " FORK" : ""
                return [
                    site["site"]?.stringValue ?? "-", site["log_id"]?.stringValue ?? "-",
                    site["installer"]?.stringValue ?? "-",
                    (site["verdict"]?.stringValue?.uppercased() ?? "-") + fork,
                    Self.list(site["failing"]), Self.list(site["firmware"]),
                    site["witnessed"]?.boolValue == true ? "yes" : "NO", site["last_at"]?.stringValue ?? "-",
                ]
            }
            printTable([header] + rows)
            say(counted(sites.count, "site"))
        }
    }

    static func list(_ value: JSONValue?) -> String {
        let items = value?.arrayValue?.compactMap(\.stringValue) ?? []
        return items.isEmpty ? "-" : items.joined(separator: ",")
    }
}

/// One synced site: its verdict, failing rules and events as the collector holds them.
enum FleetSite {
    /// Fetches the collector-signed report and writes its folder; its page and proofs are rendered here.
    static func writeReport(
        client: FleetClient, logID: String, site: String, out: String?, format: OutputFormat
    ) async throws {
        let directory = URL(fileURLWithPath: out ?? ReportDirectory.defaultName(site: site))
        try ReportDirectory.checkWritable(directory)
        let (json, signature) = try await client.report(logID: logID, site: site)
        let signed = try SignedReport(json: json, signature: signature)
        try ReportDirectory.write(signed, to: directory)
        let report = signed.report
        switch format {
        case .json:
            emit([
                "verdict": .string(report.verdict.rawValue), "directory": .string(directory.path),
                "key_id": .string(report.keyID), "checkpoint_size": .integer(report.checkpoint.size),
                "witnessing": .string(report.witnessing.status.rawValue),
            ])
        case .text:
            print(
                "\(report.verdict.rawValue.uppercased()): site \(report.site) in log \(logID), report by the collector")
            print("wrote \(directory.path)/{report.json,report.json.sig,report.html}, signed by key \(report.keyID)")
        }
    }

    static func show(client: FleetClient, logID: String, site: String, format: OutputFormat) async throws {
        let (row, events) = try await client.site(logID: logID, site: site)
        switch format {
        case .json: emit(["site": row, "events": .array(events)])
        case .text:
            let failing = FleetCommand.list(row["failing"])
            say(
                "\(row["verdict"]?.stringValue?.uppercased() ?? "-"): site \(site) in log \(logID), installer "
                    + "\(row["installer"]?.stringValue ?? "-")" + (failing == "-" ? "" : "; failing: \(failing)"))
            say(
                "firmware \(FleetCommand.list(row["firmware"])); "
                    + (row["witnessed"]?.boolValue == true ? "witnessed by the collector" : "NOT WITNESSED")
                    + (row["fork_detected"]?.boolValue == true ? "; FORK DETECTED: the log was rewritten" : ""))
            let header = ["SEQ", "OBSERVED", "TYPE", "STACK"]
            let rows = events.map { event -> [String] in
                [
                    event["seq"].map { $0.integerValue.map(String.init) ?? "-" } ?? "-",
                    event["observed_at"]?.stringValue ?? "-", event["type"]?.stringValue ?? "-",
                    event["stack"]?.stringValue ?? "-",
                ]
            }
            printTable([header] + rows)
        }
    }
}
