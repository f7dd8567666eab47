import AuditCrypto
import AuditLog
import Foundation

/// The fleet filters `audit fleet` sends as `GET /v1/sites` query parameters; nil leaves a filter out.
public struct FleetFilter: Sendable, Hashable {
    public var verdict: String?
    public var failing: String?
    public var installer: String?
    public var firmware: String?
    public var since: String?
    public var until: String?
    public var witnessed: Bool?
    public var forked: Bool?
    public var simulation: Bool?
    public var limit: Int?

    public init(
        verdict: String? = nil, failing: String? = nil, installer: String? = nil, firmware: String? = nil,
        since: String? = nil, until: String? = nil, witnessed: Bool? = nil, forked: Bool? = nil,
        simulation: Bool? = nil, limit: Int? = nil
    ) {
        self.verdict = verdict
        self.failing = failing
        self.installer = installer
        self.firmware = firmware
        self.since = since
        self.until = until
        self.witnessed = witnessed
        self.forked = forked
        self.simulation = simulation
        self.limit = limit
    }

    /// The query items in the collector's parameter names, in a fixed order.
    var queryItems: [URLQueryItem] {
        let pairs: [(String, String?)] = [
            ("verdict", verdict), ("failing", failing), ("installer", installer), ("firmware", firmware),
            ("since", since), ("until", until), ("witnessed", witnessed.map(String.init)),
            ("fork", forked.map(String.init)), ("simulation", simulation.map(String.init)),
            ("limit", limit.map(String.init)),
        ]
        return pairs.compactMap { name, value in value.map { URLQueryItem(name: name, value: $0) } }
    }
}

/// `audit fleet`: the collector's read-only fleet queries, over the same transport as `audit sync`.
public struct FleetClient: Sendable {
    public var base: String
    public var transport: any SyncTransport

    public init(base: String, transport: any SyncTransport = URLSessionSyncTransport()) throws(SyncClientError) {
        guard let url = URL(string: base), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil
        else { throw .invalidURL(base) }
        var trimmed = base
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.base = trimmed
        self.transport = transport
    }

    /// The sites passing every filter, as the collector lists them (`{"sites": [...]}`'s array).
    public func sites(_ filter: FleetFilter) async throws(SyncClientError) -> [JSONValue] {
        let answer = try await get("/v1/sites", query: filter.queryItems)
        guard let sites = answer["sites"]?.arrayValue else { throw .badAnswer("no sites in the answer") }
        return sites
    }

    /// One site of one log: its fleet row (verdict, failing rules, ...) and its events in seq order.
    public func site(logID: String, site: String) async throws(SyncClientError) -> (
        row: JSONValue, events: [JSONValue]
    ) {
        let rows = try await get(
            "/v1/sites", query: [URLQueryItem(name: "site", value: site)]
        )["sites"]?.arrayValue?.filter { $0["log_id"]?.stringValue == logID }
        guard let row = rows?.first else {
            throw .refused(status: 404, reason: "the collector holds no site '\(site)' in log \(logID)")
        }
        let answer = try await get("/v1/logs/\(Self.segment(logID))/sites/\(Self.segment(site))/events", query: [])
        guard let events = answer["events"]?.arrayValue else { throw .badAnswer("no events in the answer") }
        return (row, events)
    }

    /// The site's report as the collector signed it with its own key: report.json's bytes and the raw signature.
    public func report(logID: String, site: String) async throws(SyncClientError) -> (
        json: [UInt8], signature: [UInt8]
    ) {
        let answer = try await get("/v1/logs/\(Self.segment(logID))/sites/\(Self.segment(site))/report", query: [])
        guard let json = answer["report"]?.stringValue, let hex = answer["signature"]?.stringValue,
            let signature = Hex.decode(hex)
        else { throw .badAnswer("no report and signature in the answer") }
        return (Array(json.utf8), signature)
    }

    /// A path segment with everything but unreserved characters percent-encoded (site names are free text).
    static func segment(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    func get(_ path: String, query: [URLQueryItem]) async throws(SyncClientError) -> JSONValue {
        guard var components = URLComponents(string: base + path) else { throw .invalidURL(base + path) }
        if !query.isEmpty { components.queryItems = query }
        // URLComponents leaves '+' as is, which a server may read as a space.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        guard let url = components.url else { throw .invalidURL(base + path) }
        let (status, body) = try await transport.send(method: "GET", url: url, headers: [:], body: [])
        guard status == 200 else {
            let refusal = SyncClient.refusal(status, body)
            guard status == 400, case .refused(_, let reason) = refusal else { throw refusal }
            throw .queryRefused(reason: reason)
        }
        do { return try JSONValue(parsing: body) } catch { throw .badAnswer("the answer to \(path) is not JSON") }
    }
}
