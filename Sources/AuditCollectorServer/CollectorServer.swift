import AuditCollector
import AuditCore
import AuditCrypto
import AuditLog
import AuditSyncProtocol
import Hummingbird
import Logging
import NIOCore

/// The collector's HTTP face on Hummingbird; every decision is `Collector`'s, every answer one line or JSON.
public enum CollectorServer {
    /// The sync endpoints (signed), the fleet queries, the auditors' page and `GET /health`.
    public static func router(collector: Collector, logger: Logger) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("health") { _, _ -> Response in text("ok\n", status: .ok) }
        router.get("v1/collector") { _, _ -> Response in
            json(["verifier_key": .string(collector.signer.verifierKey.description)])
        }
        router.get("v1/logs/:log/state") { request, context -> Response in
            await answer(logger) { () async throws(SyncError) -> Response in
                let (installer, _) = try await authenticated(request, collector: collector, contentType: nil)
                return json(try await collector.state(logID: try parameter(context, "log"), installer: installer))
            }
        }
        router.post("v1/logs/:log/events") { request, context -> Response in
            await answer(logger) { () async throws(SyncError) -> Response in
                let (installer, body) = try await authenticated(
                    request, collector: collector, contentType: SyncProtocol.chunkContentType)
                let logID = try parameter(context, "log")
                let outcome = try await collector.append(logID: logID, installer: installer, body: body)
                logger.info(
                    "chunk",
                    metadata: ["log": "\(logID)", "appended": "\(outcome.appended)", "size": "\(outcome.size)"])
                return json(["appended": .integer(Int64(outcome.appended)), "size": .integer(outcome.size)])
            }
        }
        router.post("v1/logs/:log/checkpoint") { request, context -> Response in
            await answer(logger) { () async throws(SyncError) -> Response in
                let (installer, body) = try await authenticated(
                    request, collector: collector, contentType: SyncProtocol.checkpointContentType)
                let line = try await collector.checkpoint(
                    logID: try parameter(context, "log"), installer: installer, body: body)
                return text(line, status: .ok)
            }
        }
        router.get("v1/logs") { _, _ -> Response in
            await answer(logger) { () async throws(SyncError) -> Response in
                json(["logs": .array(try await collector.store.logs().map(\.json))])
            }
        }
        router.get("v1/sites") { request, _ -> Response in
            await answer(logger) { () async throws(SyncError) -> Response in
                let query = try FleetQuery.parse(request.uri.queryParameters)
                return json(["sites": .array(try await collector.store.sites(query).map(\.json))])
            }
        }
        router.get("v1/logs/:log/sites/:site/events") { _, context -> Response in
            await answer(logger) { () async throws(SyncError) -> Response in
                let logID = try parameter(context, "log")
                try LogID.check(logID)
                let events = try await collector.store.events(logID: logID, site: try parameter(context, "site"))
                return json(["events": .array(events.map(SyncEvent.json))])
            }
        }
        // The site's report signed with the collector's key: report.json's exact bytes and its signature (hex).
        router.get("v1/logs/:log/sites/:site/report") { _, context -> Response in
            await answer(logger) { () async throws(SyncError) -> Response in
                let signed = try await CollectorReport.signed(
                    collector: collector, logID: try parameter(context, "log"), site: try parameter(context, "site"))
                return json([
                    "report": .string(String(decoding: signed.json, as: UTF8.self)),
                    "signature": .string(Hex.encode(signed.signature)), "key_id": .string(signed.report.keyID),
                ])
            }
        }
        router.get("/") { request, _ -> Response in
            await answer(logger) { () async throws(SyncError) -> Response in
                html(try await Dashboard.fleet(collector: collector, parameters: request.uri.queryParameters))
            }
        }
        router.get("sites/:log/:site") { _, context -> Response in
            await answer(logger) { () async throws(SyncError) -> Response in
                let logID = try parameter(context, "log")
                try LogID.check(logID)
                return html(
                    try await Dashboard.site(collector: collector, logID: logID, site: try parameter(context, "site")))
            }
        }
        return router
    }

    /// Reads the body (bounded), checks the content type, and authenticates the request's signature.
    static func authenticated(
        _ request: Request, collector: Collector, contentType expected: String?
    ) async throws(SyncError) -> (InstallerRecord, [UInt8]) {
        if let expected {
            let given = request.headers[.contentType] ?? ""
            let base = given.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard base == expected.split(separator: ";").first.map(String.init) else {
                throw .unsupportedMediaType(given)
            }
        }
        let body: [UInt8]
        do {
            body = Array(try await request.body.collect(upTo: SyncProtocol.maximumBodySize).readableBytesView)
        } catch is NIOTooManyBytesError {
            throw .tooLarge(limit: SyncProtocol.maximumBodySize)
        } catch { throw .malformed("the body could not be read") }
        let installer = try await collector.authenticate(
            method: request.method.rawValue, path: request.uri.path, body: body
        ) { name in
            request.headers.first { $0.name.canonicalName == name.lowercased() }?.value
        }
        return (installer, body)
    }

    /// A path parameter, percent-decoded: the dashboard links a site by its percent-encoded name.
    static func parameter(_ context: BasicRequestContext, _ name: String) throws(SyncError) -> String {
        guard let value = context.parameters.get(name) else { throw .malformed("no \(name) in the path") }
        guard let decoded = value.removingPercentEncoding else {
            throw .malformed("the \(name) in the path is not percent-encoded UTF-8")
        }
        return decoded
    }

    /// Runs a handler; a refusal becomes its status and one line of reason.
    static func answer(_ logger: Logger, _ body: () async throws(SyncError) -> Response) async -> Response {
        do { return try await body() } catch {
            logger.info("refused", metadata: ["status": "\(error.httpStatus)", "reason": "\(error.message)"])
            return text(error.message + "\n", status: .init(code: error.httpStatus))
        }
    }

    static func text(_ body: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    static func json(_ value: JSONValue) -> Response {
        var out: [UInt8] = []
        value.writeCanonical(into: &out)
        out.append(0x0A)
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: out)))
    }

    static func html(_ page: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
    }

    /// The server: bound to `host:port` (port 0 picks a free one), with the PostgreSQL client among its services,
    /// so the pool runs (and reconnects) exactly as long as the server.
    public static func application(
        collector: Collector, database: PostgresCollectorStore?, host: String, port: Int, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        var app = Application(
            router: router(collector: collector, logger: logger),
            server: .http1(configuration: .init(idleTimeout: .seconds(30))),
            configuration: .init(address: .hostname(host, port: port), serverName: "audit-collector"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
        if let database { app.addServices(database.client) }
        return app
    }
}

/// The query parameters of `GET /v1/sites` and `GET /`.
enum FleetQuery {
    static let names: Set<String> = [
        "failing", "verdict", "installer", "firmware", "witnessed", "fork", "simulation", "since", "until", "site",
        "limit", "offset",
    ]

    static func parse(_ parameters: Parameters) throws(SyncError) -> SiteQuery {
        for (name, _) in parameters where !names.contains(String(name)) {
            throw .malformed("unknown filter '\(String(name).prefix(40))'")
        }
        func text(_ name: String) -> String? {
            guard let value = parameters.get(name), !value.isEmpty else { return nil }
            return value
        }
        func flag(_ name: String) throws(SyncError) -> Bool? {
            guard let value = text(name) else { return nil }
            guard let flag = Bool(value) else { throw .malformed("\(name) is true or false") }
            return flag
        }
        func number(_ name: String, default value: Int, maximum: Int) throws(SyncError) -> Int {
            guard let text = text(name) else { return value }
            guard let number = Int(text), (0...maximum).contains(number) else {
                throw .malformed("\(name) is a number from 0 to \(maximum)")
            }
            return number
        }
        if let verdict = text("verdict"), !["pass", "fail", "unverifiable", "unreadable"].contains(verdict) {
            throw .malformed("verdict is pass, fail, unverifiable or unreadable")
        }
        for name in ["since", "until"] {
            if let value = text(name), Timestamp(rfc3339: value) == nil {
                throw .malformed("\(name) is an RFC 3339 time")
            }
        }
        return SiteQuery(
            failing: text("failing"), verdict: text("verdict"), installer: text("installer"),
            firmware: text("firmware"), witnessed: try flag("witnessed"), forked: try flag("fork"),
            simulation: try flag("simulation"), since: text("since").flatMap { Timestamp(rfc3339: $0)?.rfc3339 },
            until: text("until").flatMap { Timestamp(rfc3339: $0)?.rfc3339 }, site: text("site"),
            limit: try number("limit", default: 500, maximum: 10_000),
            offset: try number("offset", default: 0, maximum: Int(Int32.max)))
    }
}
