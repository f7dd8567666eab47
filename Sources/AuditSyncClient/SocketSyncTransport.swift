import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// HTTP/1.1 over one plain POSIX socket, kept alive between requests: what `audit sync` uses for `http://`.
///
/// Written here rather than using URLSession because FoundationNetworking's URLSession on Linux spins in the
/// kernel while a request is in flight: in a 1M-event sync the laptop's process used most of a core waiting, on a
/// 2-core machine where the collector and PostgreSQL need that core. The technician's `audit` must stay free of the
/// server's NIO stack, so this is the smallest client the sync protocol needs: one request at a time per
/// connection, Content-Length or chunked answers, blocking I/O on a thread of its own with timeouts (it never
/// blocks Swift's cooperative pool). `https://` goes through `URLSessionSyncTransport` (no TLS here).
public final class SocketSyncTransport: SyncTransport, @unchecked Sendable {
    /// Seconds for connecting, and for each send or receive on the socket.
    public let timeout: TimeInterval
    /// Guards `idle`: connections kept alive after a complete answer, by "host:port".
    private let lock = NSLock()
    private var idle: [String: [Int32]] = [:]

    public init(timeout: TimeInterval = 30) { self.timeout = timeout }

    deinit { for descriptors in idle.values { for descriptor in descriptors { close(descriptor) } } }

    public func send(
        method: String, url: URL, headers: [String: String], body: [UInt8]
    ) async throws(SyncClientError) -> (status: Int, body: [UInt8]) {
        let target: Target
        do { target = try Target(url) } catch { throw .invalidURL(url.absoluteString) }
        let request = Self.request(method: method, target: target, headers: headers, body: body)
        let outcome: Result<(status: Int, body: [UInt8]), SyncClientError> = await withCheckedContinuation {
            continuation in
            let thread = Thread { [self] in
                do throws(SyncClientError) {
                    continuation.resume(returning: .success(try exchange(request, target: target, url: url)))
                } catch { continuation.resume(returning: .failure(error)) }
            }
            thread.start()
        }
        return try outcome.get()
    }

    /// The host, port and request target (path and query as sent, percent-encoded) of an http URL.
    struct Target: Sendable {
        var host: String
        var port: UInt16
        var path: String
        var key: String { "\(host):\(port)" }

        struct Unsupported: Error {}

        init(_ url: URL) throws {
            guard url.scheme?.lowercased() == "http", let host = url.host, !host.isEmpty,
                let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
            else { throw Unsupported() }
            self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
            guard (0...65535).contains(url.port ?? 80) else { throw Unsupported() }
            port = UInt16(url.port ?? 80)
            let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
            self.path = path + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
        }
    }

    static func request(method: String, target: Target, headers: [String: String], body: [UInt8]) -> [UInt8] {
        let hostHeader = target.host.contains(":") ? "[\(target.host)]:\(target.port)" : "\(target.host):\(target.port)"
        var head = "\(method) \(target.path) HTTP/1.1\r\nHost: \(hostHeader)\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        // A GET carries no body, as with URLSession.
        guard method != "GET" else { return Array((head + "\r\n").utf8) }
        head += "Content-Length: \(body.count)\r\n\r\n"
        return Array(head.utf8) + body
    }

    /// One request and its answer, on an idle connection when one is left, else on a new one.
    func exchange(_ request: [UInt8], target: Target, url: URL) throws(SyncClientError) -> (
        status: Int, body: [UInt8]
    ) {
        func failure(_ reason: String) -> SyncClientError { .unreachable(url: url.absoluteString, reason: reason) }
        var descriptor = takeIdle(target.key) ?? -1
        if descriptor < 0 { descriptor = try open(target, failure) }
        do {
            try write(request, to: descriptor, failure)
            var reader = Reader(descriptor: descriptor)
            let answer = try reader.response(failure)
            if answer.keepAlive { putIdle(descriptor, target.key) } else { close(descriptor) }
            return (answer.status, answer.body)
        } catch {
            close(descriptor)
            throw error
        }
    }

    private func takeIdle(_ key: String) -> Int32? {
        while let descriptor = lock.withLock({ idle[key]?.popLast() }) {
            // A connection the collector closed while idle reads as end of file at once: drop it, try the next.
            var probe = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            if poll(&probe, 1, 0) == 0 { return descriptor }
            close(descriptor)
        }
        return nil
    }

    private func putIdle(_ descriptor: Int32, _ key: String) {
        lock.withLock { idle[key, default: []].append(descriptor) }
    }

    /// Connects to the first address of `target` that answers within `timeout`; send and receive timeouts set.
    private func open(_ target: Target, _ failure: (String) -> SyncClientError) throws(SyncClientError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Darwin)
            hints.ai_socktype = SOCK_STREAM
        #else
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(target.host, String(target.port), &hints, &list)
        guard resolved == 0, let first = list else {
            throw failure("cannot resolve \(target.host): \(String(cString: gai_strerror(resolved)))")
        }
        defer { freeaddrinfo(first) }
        var reason = "no address for \(target.host)"
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let entry = next {
            next = entry.pointee.ai_next
            let descriptor = socket(entry.pointee.ai_family, entry.pointee.ai_socktype, entry.pointee.ai_protocol)
            guard descriptor >= 0 else {
                reason = Self.errorText()
                continue
            }
            if let error = finishConnect(descriptor, entry.pointee.ai_addr, entry.pointee.ai_addrlen) {
                reason = error
                close(descriptor)
                continue
            }
            var one: Int32 = 1
            setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            var limit = timeval()
            limit.tv_sec = Int(timeout)
            limit.tv_usec = suseconds_t((timeout - timeout.rounded(.down)) * 1_000_000)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            return descriptor
        }
        throw failure(reason)
    }

    /// A non-blocking connect bounded by `timeout`; nil when connected, else the reason.
    private func finishConnect(_ descriptor: Int32, _ address: UnsafeMutablePointer<sockaddr>?, _ length: socklen_t)
        -> String?
    {
        let flags = fcntl(descriptor, F_GETFL, 0)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        defer { _ = fcntl(descriptor, F_SETFL, flags) }
        if socketConnect(descriptor, address, length) == 0 { return nil }
        guard errno == EINPROGRESS else { return Self.errorText() }
        var waiting = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        var polled: Int32
        repeat {
            polled = poll(&waiting, 1, Int32(min(timeout * 1000, Double(Int32.max))))
        } while polled < 0 && errno == EINTR
        guard polled > 0 else { return polled == 0 ? "connecting timed out after \(Int(timeout)) s" : Self.errorText() }
        var error: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &size) == 0 else { return Self.errorText() }
        return error == 0 ? nil : String(cString: strerror(error)).lowercased()
    }

    private func write(_ bytes: [UInt8], to descriptor: Int32, _ failure: (String) -> SyncClientError)
        throws(SyncClientError)
    {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { buffer in
                socketSend(descriptor, buffer.baseAddress! + offset, bytes.count - offset)
            }
            if sent < 0 {
                if errno == EINTR { continue }
                throw failure("sending the request: \(Self.errorText())")
            }
            offset += sent
        }
    }

    static func errorText() -> String {
        errno == EAGAIN || errno == EWOULDBLOCK ? "timed out" : String(cString: strerror(errno)).lowercased()
    }

    /// Reads one HTTP/1.1 answer from a socket, buffered.
    struct Reader {
        let descriptor: Int32
        var buffer: [UInt8] = []
        var start = 0

        init(descriptor: Int32) { self.descriptor = descriptor }

        struct Answer {
            var status: Int
            var body: [UInt8]
            var keepAlive: Bool
        }

        /// The answer after any 1xx; its body by Content-Length, chunked coding, or up to the end of the stream.
        mutating func response(_ failure: (String) -> SyncClientError) throws(SyncClientError) -> Answer {
            while true {
                let statusLine = try line(failure)
                let parts = statusLine.split(separator: " ", maxSplits: 2)
                guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
                    throw SyncClientError.badAnswer("not an HTTP/1.1 status line: \(statusLine.prefix(80))")
                }
                var fields: [String: String] = [:]
                while true {
                    let field = try line(failure)
                    if field.isEmpty { break }
                    guard let colon = field.firstIndex(of: ":") else {
                        throw SyncClientError.badAnswer("not an HTTP header line: \(field.prefix(80))")
                    }
                    let name = field[..<colon].lowercased()
                    let value = field[field.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                    fields[name] = fields[name].map { $0 + ", " + value } ?? value
                }
                if (100...199).contains(status) { continue }
                var keepAlive =
                    parts[0] == "HTTP/1.1" && !(fields["connection"]?.lowercased().contains("close") ?? false)
                let body: [UInt8]
                if status == 204 || status == 304 {
                    body = []
                } else if fields["transfer-encoding"]?.lowercased().contains("chunked") == true {
                    body = try chunked(failure)
                } else if let text = fields["content-length"] {
                    guard let length = Int(text), length >= 0 else {
                        throw SyncClientError.badAnswer("Content-Length '\(text.prefix(40))'")
                    }
                    body = try bytes(length, failure)
                } else {
                    body = try toEnd(failure)
                    keepAlive = false
                }
                return Answer(status: status, body: body, keepAlive: keepAlive && start == buffer.count)
            }
        }

        mutating func chunked(_ failure: (String) -> SyncClientError) throws(SyncClientError) -> [UInt8] {
            var body: [UInt8] = []
            while true {
                let sizeLine = try line(failure)
                let digits = sizeLine.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) }
                guard let digits, let size = Int(digits, radix: 16), size >= 0 else {
                    throw SyncClientError.badAnswer("a chunk size '\(sizeLine.prefix(40))'")
                }
                if size == 0 {
                    while try !line(failure).isEmpty {}
                    return body
                }
                body += try bytes(size, failure)
                guard try line(failure).isEmpty else { throw SyncClientError.badAnswer("a chunk overran its size") }
            }
        }

        /// The next line without its CRLF.
        mutating func line(_ failure: (String) -> SyncClientError) throws(SyncClientError) -> String {
            while true {
                if let newline = buffer[start...].firstIndex(of: 0x0A) {
                    var end = newline
                    if end > start, buffer[end - 1] == 0x0D { end -= 1 }
                    let text = String(decoding: buffer[start..<end], as: UTF8.self)
                    start = newline + 1
                    return text
                }
                guard buffer.count - start < 64 * 1024 else {
                    throw SyncClientError.badAnswer("an HTTP line longer than 64 KiB")
                }
                guard try fill(failure) else { throw failure("the connection closed before the answer") }
            }
        }

        mutating func bytes(_ count: Int, _ failure: (String) -> SyncClientError) throws(SyncClientError)
            -> [UInt8]
        {
            while buffer.count - start < count {
                guard try fill(failure) else { throw failure("the connection closed in the answer's body") }
            }
            defer { start += count }
            return Array(buffer[start..<start + count])
        }

        mutating func toEnd(_ failure: (String) -> SyncClientError) throws(SyncClientError) -> [UInt8] {
            while try fill(failure) {}
            defer { start = buffer.count }
            return Array(buffer[start...])
        }

        /// Reads more bytes; false at the end of the stream.
        mutating func fill(_ failure: (String) -> SyncClientError) throws(SyncClientError) -> Bool {
            if start > 0, start == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                start = 0
            }
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw failure("waiting for the answer: \(SocketSyncTransport.errorText())")
                }
                buffer += chunk[0..<count]
                return count > 0
            }
        }
    }
}

// At file scope: inside the class, `connect` and `send` would name its own methods.
private func socketConnect(_ descriptor: Int32, _ address: UnsafeMutablePointer<sockaddr>?, _ length: socklen_t)
    -> Int32
{ connect(descriptor, address, length) }

/// send(2) without SIGPIPE: a collector that closed the connection is an error to report, not a signal.
private func socketSend(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    send(descriptor, bytes, count, Int32(MSG_NOSIGNAL))
}
