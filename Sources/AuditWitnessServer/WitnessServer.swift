import AuditCore
import AuditWitness
import Hummingbird
import Logging
import NIOCore

/// The witness's HTTP face (c2sp.org/tlog-witness) on Hummingbird; all decisions are `Witness`'s.
public enum WitnessServer {
    /// `POST /add-checkpoint`, `GET /<hex sha256 of origin>/checkpoint` and `GET /health`.
    ///
    /// A body must arrive whole within `bodyTimeout` seconds and be at most `WitnessProtocol.maximumBodySize` bytes.
    public static func router(witness: Witness, logger: Logger, bodyTimeout: Int = 10) -> Router<BasicRequestContext> {
        let router = Router()
        router.post("add-checkpoint") { request, _ -> Response in
            let body: ByteBuffer
            do { body = try await collect(request, seconds: bodyTimeout) } catch {
                return refusal(error, logger: logger)
            }
            do {
                let lines = try witness.addCheckpoint(body: Array(body.readableBytesView))
                logger.info("cosigned", metadata: ["status": "200"])
                return text(lines, status: .ok, contentType: "text/plain; charset=utf-8")
            } catch {
                return refusal(error, logger: logger)
            }
        }
        router.get(":origin/checkpoint") { _, context -> Response in
            let hash = context.parameters.get("origin") ?? ""
            guard hash.utf8.count == 64,
                hash.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
            else { return text("not a lowercase hex SHA-256 of an origin\n", status: .notFound) }
            do {
                guard let note = try witness.latestCheckpoint(originHash: hash) else {
                    return text("no checkpoint cosigned for this origin\n", status: .notFound)
                }
                return text(note, status: .ok, contentType: "text/plain; charset=utf-8")
            } catch {
                return refusal(error, logger: logger)
            }
        }
        router.get("health") { _, _ -> Response in text("ok\n", status: .ok) }
        return router
    }

    /// Reads the whole body, or refuses it as too large (413) or too slow (408).
    static func collect(_ request: Request, seconds: Int) async throws(WitnessError) -> ByteBuffer {
        let limit = WitnessProtocol.maximumBodySize
        do {
            return try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
                group.addTask { try await request.body.collect(upTo: limit) }
                group.addTask {
                    try await Task.sleep(for: .seconds(seconds))
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let body = first else {
                    throw WitnessError.requestTimeout(seconds: seconds)
                }
                return body
            }
        } catch let error as WitnessError {
            throw error
        } catch is NIOTooManyBytesError {
            throw .tooLarge(limit: limit)
        } catch {
            throw .malformed("the body could not be read: \(oneLineMessage(error))")
        }
    }

    /// The server: bound to `host:port` (port 0 picks a free one), HTTP/1.1 with an idle timeout.
    public static func application(
        witness: Witness, host: String, port: Int, logger: Logger, bodyTimeout: Int = 10,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router(witness: witness, logger: logger, bodyTimeout: bodyTimeout),
            // A connection idle for 30 s, mid-request included, is closed: a slow client cannot hold one open.
            server: .http1(configuration: .init(idleTimeout: .seconds(30))),
            configuration: .init(address: .hostname(host, port: port), serverName: "audit-witness"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    static func refusal(_ failure: any Error, logger: Logger) -> Response {
        let error = failure as? WitnessError ?? .storage(oneLineMessage(failure))
        logger.info("refused", metadata: ["status": "\(error.httpStatus)", "reason": "\(error.message)"])
        return text(error.responseBody, status: .init(code: error.httpStatus), contentType: error.contentType)
    }

    static func text(_ body: String, status: HTTPResponse.Status, contentType: String = "text/plain; charset=utf-8")
        -> Response
    {
        Response(
            status: status, headers: [.contentType: contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
