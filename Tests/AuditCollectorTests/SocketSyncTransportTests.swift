import AuditSyncClient
import AuditTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `audit sync`'s own HTTP/1.1 client against scripted servers: the answer forms it must read and the cuts it
/// must report as unreachable (the real collector is in CollectorProcessTests and FaultTests).
@Suite struct SocketSyncTransportTests {
    @Test func aChunkedAnswerIsDecodedAndAClosedConnectionIsNotReused() async throws {
        let server = try ScriptedServer(answers: [
            "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "5\r\nhello\r\n7;x=y\r\n, world\r\n0\r\n\r\n"
        ])
        let transport = SocketSyncTransport(timeout: 60)
        let url = try #require(URL(string: "http://127.0.0.1:\(server.port)/v1/a%20b?x=1"))
        let answer = try await transport.send(
            method: "POST", url: url, headers: ["X-Test": "1"], body: Array("abc".utf8))
        #expect(answer.status == 201)
        #expect(String(decoding: answer.body, as: UTF8.self) == "hello, world")
        let request = try #require(server.requests.first)
        #expect(request.hasPrefix("POST /v1/a%20b?x=1 HTTP/1.1\r\n"), "\(request)")
        #expect(request.contains("\r\nX-Test: 1\r\n"))
        #expect(request.contains("\r\nContent-Length: 3\r\n\r\nabc"))
        // The server closed after its answer: the next request needs a connection the script does not accept.
        await #expect(throws: SyncClientError.self) {
            try await transport.send(method: "GET", url: url, headers: [:], body: [])
        }
    }

    @Test func aKeptAliveConnectionCarriesTheNextRequest() async throws {
        let server = try ScriptedServer(answers: [
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
            "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 5\r\n\r\nlater",
        ])
        let transport = SocketSyncTransport(timeout: 60)
        let url = try #require(URL(string: "http://127.0.0.1:\(server.port)/health"))
        let first = try await transport.send(method: "GET", url: url, headers: [:], body: [])
        let second = try await transport.send(method: "GET", url: url, headers: [:], body: [])
        #expect(first.status == 200 && first.body == Array("ok".utf8))
        #expect(second.status == 503 && second.body == Array("later".utf8))
        // One accepted connection answered both.
        #expect(server.requests.count == 2)
        #expect(
            server.requests.allSatisfy { $0.hasPrefix("GET /health HTTP/1.1\r\n") && !$0.contains("Content-Length") })
    }

    @Test func anAnswerCutInItsBodyIsUnreachable() async throws {
        let server = try ScriptedServer(answers: ["HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part"])
        let transport = SocketSyncTransport(timeout: 60)
        let url = try #require(URL(string: "http://127.0.0.1:\(server.port)/v1/logs/x/events"))
        do {
            _ = try await transport.send(method: "POST", url: url, headers: [:], body: [1, 2, 3])
            Issue.record("a cut answer was accepted")
        } catch {
            guard case .unreachable(_, let reason) = error else {
                Issue.record("not unreachable: \(error)")
                return
            }
            #expect(reason.contains("closed"), "\(reason)")
        }
    }

    @Test func nothingListeningIsUnreachable() async throws {
        let port = try FreePort.pick()
        let transport = SocketSyncTransport(timeout: 60)
        let url = try #require(URL(string: "http://127.0.0.1:\(port)/health"))
        do {
            _ = try await transport.send(method: "GET", url: url, headers: [:], body: [])
            Issue.record("an answer from nothing")
        } catch {
            #expect(error.description.contains("is unreachable: connection refused"), "\(error.description)")
            #expect(error.exitStatus == .ioError)
        }
    }
}

/// A one-connection HTTP server on 127.0.0.1 on a thread of its own: reads each request (head and
/// Content-Length body), writes the next scripted answer, and closes after the last one.
final class ScriptedServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var received: [String] = []

    var requests: [String] { lock.withLock { received } }

    init(answers: [String]) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        listener = descriptor
        guard let bound = Loopback.bindFreePort(descriptor), listen(descriptor, 4) == 0 else {
            throw ScriptError(reason: String(cString: strerror(errno)))
        }
        port = bound
        let thread = Thread { [self] in serve(answers) }
        thread.start()
    }

    struct ScriptError: Error { var reason: String }

    private func serve(_ answers: [String]) {
        defer { close(listener) }
        let connection = accept(listener, nil, nil)
        guard connection >= 0 else { return }
        defer { close(connection) }
        var buffer: [UInt8] = []
        for answer in answers {
            guard let request = readRequest(connection, &buffer) else { return }
            lock.withLock { received.append(request) }
            let bytes = Array(answer.utf8)
            _ = bytes.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
    }

    /// One request's head and body, as text; nil when the client closed first.
    private func readRequest(_ connection: Int32, _ buffer: inout [UInt8]) -> String? {
        func read() -> Bool {
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return false }
            buffer += chunk[0..<count]
            return true
        }
        let separator = Array("\r\n\r\n".utf8)
        while true {
            if let end = buffer.indices.first(where: { buffer[$0...].starts(with: separator) }) {
                let head = String(decoding: buffer[..<end], as: UTF8.self)
                let length =
                    head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                let total = end + 4 + length
                while buffer.count < total { guard read() else { return nil } }
                let request = String(decoding: buffer[..<total], as: UTF8.self)
                buffer.removeFirst(total)
                return request
            }
            guard read() else { return nil }
        }
    }
}
