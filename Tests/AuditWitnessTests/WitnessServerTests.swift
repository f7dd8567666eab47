import AuditCore
import AuditCrypto
import AuditLog
import AuditTestSupport
import AuditWitness
import AuditWitnessClient
import AuditWitnessServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@Suite struct WitnessServerTests {
    let logger = Logger(label: "witness-tests")

    @Test func speaksTheProtocolThroughTheRouter() async throws {
        var log = try TestLog()
        let state = InMemoryWitnessState()
        try state.trust(log.trusted)
        let witness = try makeWitness(state)
        log.append(3)
        let first = ByteBuffer(bytes: try log.body(old: 0))
        log.append(2)
        let stale = ByteBuffer(bytes: try log.body(old: 0))
        let next = ByteBuffer(bytes: try log.body(old: 3))
        let text = log.note().text
        let origin = log.origin
        let app = WitnessServer.application(witness: witness, host: "127.0.0.1", port: 0, logger: logger)
        try await app.test(.router) { client in
            try await client.execute(uri: "/add-checkpoint", method: .post, body: first) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/add-checkpoint", method: .post, body: stale) { response in
                #expect(response.status == .conflict)
                #expect(response.headers[.contentType] == "text/x.tlog.size")
                #expect(String(buffer: response.body) == "3\n")
            }
            try await client.execute(uri: "/add-checkpoint", method: .post, body: next) { response in
                #expect(response.status == .ok)
                let lines = try WitnessProtocol.parseCosignatures(Array(response.body.readableBytesView))
                #expect(Cosignature.verify(lines[0], text: text, key: witness.signer.verifierKey) != nil)
            }
            try await client.execute(
                uri: "/add-checkpoint", method: .post, body: ByteBuffer(string: "old 5\nnot a proof\n\n")
            ) { response in
                #expect(response.status == .badRequest)
            }
            let big = ByteBuffer(repeating: 0x41, count: WitnessProtocol.maximumBodySize + 1)
            try await client.execute(uri: "/add-checkpoint", method: .post, body: big) { response in
                #expect(response.status == .contentTooLarge)
            }
            try await client.execute(uri: "/\(WitnessProtocol.checkpointPath(origin: origin))", method: .get) {
                response in
                #expect(response.status == .ok)
                let note = try SignedNote(parsing: Array(response.body.readableBytesView))
                #expect(note.text == text)
                #expect(note.signatures.count == 2)
            }
            try await client.execute(uri: "/\(WitnessProtocol.checkpointPath(origin: "nobody"))", method: .get) {
                response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
        #expect(try state.tree(origin: log.origin)?.size == 5)
    }

    /// The client in `audit` against a live server: 409 learning, a real consistency proof, verified storage.
    @Test func theClientSubmitsAndCatchesUpOverHTTP() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteEventStore.create(at: directory.path("log.db"))
        let logKey = try Ed25519PrivateKey.generate()
        let state = InMemoryWitnessState()
        try state.trust(
            try TrustedLog(
                origin: store.origin, key: try NoteVerifierKey(name: store.origin, publicKey: logKey.publicKey)))
        let witness = try makeWitness(state)
        for index in 0..<4 {
            _ = try store.append(
                EventDraft(site: "s", type: "note.added", data: ["i": .integer(Int64(index))], actor: "t"))
        }
        let app = WitnessServer.application(witness: witness, host: "127.0.0.1", port: 0, logger: logger)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            try store.addWitness(LogWitness(key: witness.signer.verifierKey, url: "http://127.0.0.1:\(port)/"))
            // A generous bound: under a loaded CI pool the default 10 s can pass before the server is scheduled.
            let transport = URLSessionWitnessTransport(timeout: 120)
            let first = try await WitnessSubmission.submit(store: store, key: logKey, transport: transport)
            #expect(try first[0].result.get().size == 4)
            for index in 4..<9 {
                _ = try store.append(
                    EventDraft(site: "s", type: "note.added", data: ["i": .integer(Int64(index))], actor: "t"))
            }
            // Forget what the witness holds: the 409 teaches it back and the retry proves from size 4.
            try store.setWitnessSize(named: witness.signer.verifierKey.name, size: 0)
            let second = try await WitnessSubmission.submit(store: store, key: logKey, transport: transport)
            let cosigned = try second[0].result.get()
            #expect(cosigned.size == 9)
            #expect(
                Cosignature.verify(
                    cosigned.note.signatures[1], text: cosigned.note.text, key: witness.signer.verifierKey) != nil)
        }
        #expect(try store.witnesses().map(\.cosignedSize) == [9])
        #expect(try store.cosignedCheckpoints().map(\.size) == [4, 9])
        #expect(try state.tree(origin: store.origin)?.size == 9)
    }

    @Test func aBodyThatDoesNotArriveInTimeIs408() async throws {
        let state = InMemoryWitnessState()
        let app = WitnessServer.application(
            witness: try makeWitness(state), host: "127.0.0.1", port: 0, logger: logger, bodyTimeout: 1)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            // Promises 100 bytes, sends 6, then waits: the witness answers after its 1 s bound.
            let head = "POST /add-checkpoint HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nold 0\n"
            let answer = await RawHTTP.exchange(port: port, request: head)
            #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer)")
        }
    }

    @Test func anUnreachableWitnessIsExit74AndLosesNothing() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteEventStore.create(at: directory.path("log.db"))
        let witnessKey = try NoteVerifierKey(
            name: "offline.test", type: .cosignatureV1, publicKey: try Ed25519PrivateKey.generate().publicKey)
        // Port 9 (discard) on loopback: nothing listens there in a test environment.
        try store.addWitness(LogWitness(key: witnessKey, url: "http://127.0.0.1:9"))
        _ = try store.append(EventDraft(site: "s", type: "note.added", actor: "t"))
        let outcomes = try await WitnessSubmission.submit(
            store: store, key: try Ed25519PrivateKey.generate(), transport: URLSessionWitnessTransport(timeout: 2))
        let error = try #require(outcomes[0].result.failure)
        #expect(error.exitStatus == .ioError)
        #expect(!error.message.contains("\n"))
        #expect(try store.cosignedCheckpoints().isEmpty)
        #expect(try store.witnesses().map(\.cosignedSize) == [nil])
        #expect(try store.head().size == 1)
    }
}

extension Result {
    /// The error of a failure, nil for a success.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

/// A deliberately incomplete HTTP request over a plain socket, on its own thread so no test blocks the pool.
enum RawHTTP {
    static func exchange(port: Int, request: String) async -> String {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: blockingExchange(port: port, request: request)) }
        }
    }

    static func blockingExchange(port: Int, request: String) -> String {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return "socket failed" }
        defer { close(descriptor) }
        // Only a bound on a hung test: the witness answers after its own 1 s, however loaded the pool is.
        var timeout = timeval(tv_sec: 120, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return "connect failed" }
        let bytes = Array(request.utf8)
        guard send(descriptor, bytes, bytes.count, 0) == bytes.count else { return "send failed" }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: answer, as: UTF8.self).contains("\r\n\r\n") {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { break }
            answer += buffer[0..<count]
        }
        return String(decoding: answer, as: UTF8.self)
    }
}
