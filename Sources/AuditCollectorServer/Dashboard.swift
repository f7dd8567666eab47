import AuditCollector
import AuditLog
import AuditReports
import AuditSyncProtocol
import Foundation
import Hummingbird

/// The auditors' pages, rendered on the server from templates under reports/: every value escaped, no script.
enum Dashboard {
    static func template(_ name: String) throws(SyncError) -> Template {
        guard let file = EmbeddedFleetTemplates.files.first(where: { $0.name == name }) else {
            throw .storage("the template \(name) is not built in")
        }
        do { return try Template(file.contents) } catch { throw .storage("template \(name): \(error.message)") }
    }

    static func fleet(collector: Collector, parameters: Parameters) async throws(SyncError) -> String {
        var query = try FleetQuery.parse(parameters)
        query.limit = min(query.limit, 200)
        let sites = try await collector.store.sites(query)
        let logs = try await collector.store.logs()
        let rows: [[String: TemplateValue]] = sites.map { site in
            [
                "site": .text(site.site), "verdict": .text(site.verdict),
                "failing": .text(site.failing.isEmpty ? "none" : site.failing.joined(separator: ", ")),
                "installer": .text(site.installer), "firmware": .text(site.firmware.joined(separator: ", ")),
                "witnessed": .text(site.witnessed ? "yes" : "no"), "log_id": .text(site.logID),
                "forked": .when(site.forked),
                "report_href": .text("/sites/\(site.logID)/\(percentEncoded(site.site))"),
            ]
        }
        let context: [String: TemplateValue] = [
            "site_count": .text(String(sites.count)), "log_count": .text(String(logs.count)),
            "collector_key": .text(collector.signer.verifierKey.description),
            "filter_verdict": .text(parameters.get("verdict") ?? ""),
            "filter_failing": .text(parameters.get("failing") ?? ""),
            "filter_installer": .text(parameters.get("installer") ?? ""),
            "filter_firmware": .text(parameters.get("firmware") ?? ""),
            "filter_witnessed": .text(parameters.get("witnessed") ?? ""),
            "sites": .list(rows), "empty": .when(sites.isEmpty),
        ]
        let page = try template("fleet.html.template")
        do { return try page.render(context) } catch { throw .storage(error.message) }
    }

    static func site(collector: Collector, logID: String, site: String) async throws(SyncError) -> String {
        guard let row = try await collector.store.sites(SiteQuery(site: site)).first(where: { $0.logID == logID })
        else { throw .unknownLog("\(logID) site \(site)") }
        let events = try await collector.store.events(logID: logID, site: site)
        let context: [String: TemplateValue] = [
            "site": .text(row.site), "log_id": .text(row.logID), "installer": .text(row.installer),
            "verdict": .text(row.verdict),
            "failing": .text(row.failing.isEmpty ? "none" : row.failing.joined(separator: ", ")),
            "witnessed": .text(row.witnessed ? "yes" : "no"),
            "signed_report_href": .text("/v1/logs/\(row.logID)/sites/\(percentEncoded(row.site))/report"),
            "events": .list(
                events.map { event in
                    [
                        "seq": .text(String(event.seq)), "type": .text(event.type), "stack": .text(event.stack ?? ""),
                        "observed_at": .text(event.observedAt.rfc3339), "payload": .text(event.payload),
                    ]
                }),
        ]
        let page = try template("fleet-site.html.template")
        do { return try page.render(context) } catch { throw .storage(error.message) }
    }

    /// A site name as one path segment: anything outside the unreserved set is percent-encoded.
    static func percentEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~")))
            ?? ""
    }
}
