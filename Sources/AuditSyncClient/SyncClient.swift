import AuditCore
import AuditCrypto
import AuditLog
import AuditSyncProtocol
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Why `audit sync` stopped; whatever the collector acknowledged before is kept there, the next sync resumes.
public enum SyncClientError: AuditFailure, Equatable, CustomStringConvertible {
    /// No answer: offline is normal on site (exit 74).
    case unreachable(url: String, reason: String)
    /// The collector refused, with its status and one-line reason; 404 (no such log or site) exits 66.
    case refused(status: Int, reason: String)
    /// The collector's answer is not what the protocol says.
    case badAnswer(String)
    /// The collector holds more events of this log than the log has: events were lost or rewritten here.
    case collectorAhead(collector: Int64, log: Int64)
    /// The collector's verifier key is not the one pinned with --collector-key.
    case unexpectedKey(String)
    case invalidURL(String)
    /// A fleet query the collector could not read (400): the user's filter, so invalid input.
    case queryRefused(reason: String)

    public var exitStatus: SysExit {
        switch self {
        case .unreachable: .ioError
        case .refused(let status, _):
            switch status {
            case 503: .ioError
            case 404: .notFound
            default: .no
            }
        case .badAnswer, .collectorAhead, .unexpectedKey: .no
        case .invalidURL, .queryRefused: .invalidInput
        }
    }

    public var description: String {
        switch self {
        case .unreachable(let url, let reason): "collector \(url) is unreachable: \(reason)"
        case .refused(let status, let reason): "the collector refused (\(status)): \(reason)"
        case .badAnswer(let reason): "the collector's answer is not understood: \(reason)"
        case .collectorAhead(let collector, let log):
            "the collector holds \(collector) events of this log, which has \(log): it was rewritten or lost events"
        case .unexpectedKey(let key): "the collector's key is \(key), not the one given with --collector-key"
        case .invalidURL(let text): "'\(text)' is not an http or https URL"
        case .queryRefused(let reason): "the collector refused the query: \(reason)"
        }
    }
}

/// What one `audit sync` did.
public struct SyncOutcome: Sendable, Hashable {
    /// Events the collector stored from this sync.
    public var sent: Int
    /// The collector's size for the log at the end.
    public var size: Int64
    /// The collector's cosigned checkpoint, stored in the log as a witness cosignature.
    public var cosigned: CosignedCheckpoint
}

/// How requests reach the collector; a protocol so tests can cut the connection after some requests.
public protocol SyncTransport: Sendable {
    func send(
        method: String, url: URL, headers: [String: String], body: [UInt8]
    ) async throws(SyncClientError) -> (status: Int, body: [UInt8])
}

/// Foundation's URLSession with short timeouts: one session for every request of the transport.
///
/// A session per request costs more than the request on Linux: each one's libdispatch sources keep waking after
/// `finishTasksAndInvalidate`, so a sync of many chunks spent most of its time in the kernel and 20 concurrent
/// syncs hit their timeouts. One session also keeps the connection alive between chunks.
public struct URLSessionSyncTransport: SyncTransport {
    public let timeout: TimeInterval
    let session: URLSession

    public init(timeout: TimeInterval = 30) {
        self.timeout = timeout
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout * 4
        session = URLSession(configuration: configuration)
    }

    public func send(
        method: String, url: URL, headers: [String: String], body: [UInt8]
    ) async throws(SyncClientError) -> (status: Int, body: [UInt8]) {
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        if method != "GET" { request.httpBody = Data(body) }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        do {
            let (data, response) = try await session.data(for: request)
            guard let http = response as? HTTPURLResponse else {
                throw SyncClientError.unreachable(url: url.absoluteString, reason: "the answer is not HTTP")
            }
            return (http.statusCode, Array(data))
        } catch let error as SyncClientError {
            throw error
        } catch {
            throw .unreachable(url: url.absoluteString, reason: error.localizedDescription)
        }
    }
}

/// `audit sync`: the events the collector lacks in seq order, in bounded chunks, then the signed checkpoint.
public struct SyncClient: Sendable {
    public var base: String
    public var installer: String
    public var key: Ed25519PrivateKey
    public var transport: any SyncTransport
    /// Events per chunk: each chunk is one request and one transaction on the collector.
    public var chunkSize: Int
    /// The largest chunk the collector reads (events), and the default: the fewest requests per sync.
    public static let maximumChunkSize = SyncProtocol.maximumChunkEvents
    /// The collector's verifier key, when the caller pins it; else the one it announces is used.
    public var collectorKey: NoteVerifierKey?
    /// How often a request cut off or answered 5xx is sent again; a 4xx never is.
    public var retry: SyncRetry
    /// Chunks sent before the oldest one is answered (1: one at a time). Four by default: the collector parses and
    /// checks the next ones while the oldest holds the log's row lock; with two it waited for the laptop's next.
    public var pipelineDepth: Int

    public init(
        base: String, installer: String, key: Ed25519PrivateKey,
        transport: any SyncTransport = URLSessionSyncTransport(),
        chunkSize: Int = SyncClient.maximumChunkSize, collectorKey: NoteVerifierKey? = nil,
        retry: SyncRetry = SyncRetry(),
        pipelineDepth: Int = 4
    ) throws(SyncClientError) {
        guard let url = URL(string: base), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil
        else { throw .invalidURL(base) }
        var trimmed = base
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.base = trimmed
        self.installer = installer
        self.key = key
        self.transport = transport
        self.chunkSize = max(1, min(chunkSize, SyncProtocol.maximumChunkEvents))
        self.collectorKey = collectorKey
        self.retry = retry
        self.pipelineDepth = max(1, min(pipelineDepth, 8))
    }

    public func sync(store: SQLiteEventStore) async throws -> SyncOutcome {
        let vkey = try await announcedKey()
        let logID = store.logID
        let state = try await signed("GET", SyncProtocol.statePath(logID: logID), body: [], contentType: nil)
        guard let held = state["size"]?.integerValue else { throw SyncClientError.badAnswer("no size in the state") }
        let local = try store.head().size
        guard held <= local else { throw SyncClientError.collectorAhead(collector: held, log: local) }
        var sent = 0
        var size = held
        // One held event is sent again: a log rewritten since the last sync shows up as a fork at the collector.
        let next = max(1, held)
        // Up to `pipelineDepth` chunks are in flight, each on its own connection, in seq order: the collector
        // parses and checks the next chunk while it stores this one, and the laptop reads and encodes the one
        // after. Answers are taken in seq order, and an event counts only once its chunk's answer says it was
        // committed; the collector stores a chunk only as a continuation of what it holds.
        // A chunk sent behind another may still find that one missing (its request was cut and sent again, or
        // it went to another collector process): refused as a gap (409) or, for a new log, as unknown (404), it
        // is sent once more after the one before it was acknowledged, which settles the order.
        var inFlight: [(task: Task<JSONValue, any Error>, body: [UInt8], behind: Bool)] = []
        var after: Int64? = next <= local ? next - 1 : nil
        do {
            while true {
                while inFlight.count < pipelineDepth, let from = after {
                    guard let (body, last) = try Self.chunk(store, after: from, limit: chunkSize) else {
                        after = nil
                        break
                    }
                    inFlight.append(
                        (
                            Task { [self] in
                                try await signed(
                                    "POST", SyncProtocol.eventsPath(logID: logID), body: body,
                                    contentType: SyncProtocol.chunkContentType)
                            }, body, !inFlight.isEmpty
                        ))
                    after = last < local ? last : nil
                }
                guard !inFlight.isEmpty else { break }
                let oldest = inFlight.removeFirst()
                let answer: JSONValue
                do { answer = try await oldest.task.value } catch SyncClientError.refused(let status, _)
                    where oldest.behind && [404, 409].contains(status)
                {
                    answer = try await signed(
                        "POST", SyncProtocol.eventsPath(logID: logID), body: oldest.body,
                        contentType: SyncProtocol.chunkContentType)
                }
                guard let appended = answer["appended"]?.integerValue, let now = answer["size"]?.integerValue else {
                    throw SyncClientError.badAnswer("no appended and size in the chunk's answer")
                }
                sent += Int(appended)
                size = now
            }
        } catch {
            // The chunks still in flight end before the sync does: what it reports held is then what is held.
            for chunk in inFlight { _ = await chunk.task.result }
            throw error
        }
        let (checkpoint, _) = try store.consistencyProofs(from: [])
        var note = SignedNote(
            text: TlogCheckpoint(origin: store.origin, size: checkpoint.size, root: checkpoint.root).text)
        note.sign(with: try NoteSigner(name: store.origin, privateKey: key))
        let (status, body) = try await send(
            "POST", SyncProtocol.checkpointPath(logID: logID), body: Array(note.serialized.utf8),
            contentType: SyncProtocol.checkpointContentType)
        guard status == 200 else { throw Self.refusal(status, body) }
        guard let text = String(validating: body, as: UTF8.self), text.hasSuffix("\n"),
            let line = try? SignedNote.signature(text.dropLast()[...]),
            let cosignature = Cosignature.verify(line, text: note.text, key: vkey)
        else { throw SyncClientError.badAnswer("no valid cosignature by the collector's key \(vkey)") }
        let cosigned = CosignedCheckpoint(
            witness: vkey, size: checkpoint.size, root: checkpoint.root, cosignedAt: cosignature.timestamp,
            note: SignedNote(text: note.text, signatures: note.signatures + [line]))
        try store.recordCosigned(cosigned)
        return SyncOutcome(sent: sent, size: size, cosigned: cosigned)
    }

    /// The events after seq `after` (at most `limit`) as a chunk's body, with the last one's seq; nil when none.
    static func chunk(_ store: SQLiteEventStore, after: Int64, limit: Int) throws -> (body: [UInt8], last: Int64)? {
        let events = try store.events(EventFilter(afterSeq: after, limit: limit))
        guard let last = events.last else { return nil }
        return (SyncEvent.chunkBody(events), last.seq)
    }

    /// The transport for a collector at `base`: the socket client for http (URLSession spins on Linux), URLSession
    /// for https.
    public static func transport(for base: String, timeout: TimeInterval) -> any SyncTransport {
        base.lowercased().hasPrefix("http://")
            ? SocketSyncTransport(timeout: timeout) : URLSessionSyncTransport(timeout: timeout)
    }

    /// The collector's cosignature/v1 key: the pinned one, checked against what it announces.
    func announcedKey() async throws(SyncClientError) -> NoteVerifierKey {
        let url = try url(SyncProtocol.collectorPath)
        let (status, body) = try await retry.run { () async throws(SyncClientError) in
            try await transport.send(method: "GET", url: url, headers: [:], body: [])
        }
        guard status == 200 else { throw Self.refusal(status, body) }
        guard let text = (try? JSONValue(parsing: body))?["verifier_key"]?.stringValue,
            let key = try? NoteVerifierKey(parsing: text), key.type == .cosignatureV1
        else { throw .badAnswer("no cosignature/v1 verifier_key at \(SyncProtocol.collectorPath)") }
        if let collectorKey, collectorKey != key { throw .unexpectedKey(text) }
        return key
    }

    func signed(_ method: String, _ path: String, body: [UInt8], contentType: String?) async throws(SyncClientError)
        -> JSONValue
    {
        let (status, answer) = try await send(method, path, body: body, contentType: contentType)
        guard status == 200 else { throw Self.refusal(status, answer) }
        do { return try JSONValue(parsing: answer) } catch { throw .badAnswer("the answer to \(path) is not JSON") }
    }

    /// Signs and sends one request; each retry is signed afresh, since a nonce is spent once.
    func send(_ method: String, _ path: String, body: [UInt8], contentType: String?) async throws(SyncClientError)
        -> (Int, [UInt8])
    {
        let url = try url(path)
        return try await retry.run { () async throws(SyncClientError) in
            var headers = RequestSignature.sign(method: method, path: path, body: body, installer: installer, key: key)
                .headers
            if let contentType { headers["Content-Type"] = contentType }
            return try await transport.send(method: method, url: url, headers: headers, body: body)
        }
    }

    func url(_ path: String) throws(SyncClientError) -> URL {
        guard let url = URL(string: base + path) else { throw .invalidURL(base + path) }
        return url
    }

    static func refusal(_ status: Int, _ body: [UInt8]) -> SyncClientError {
        let reason =
            String(decoding: body.prefix(300), as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init)
            ?? "no reason given"
        return .refused(status: status, reason: reason)
    }
}
