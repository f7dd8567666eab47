import Foundation

/// Where "now" comes from, injected so tests and the simulator control time.
public protocol AuditClock: Sendable {
    func now() -> Timestamp
}

public struct SystemClock: AuditClock {
    public init() {}

    public func now() -> Timestamp {
        Timestamp(millisecondsSinceEpoch: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }
}

/// A clock that only moves when told to.
public final class ManualClock: AuditClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Timestamp

    public init(_ start: Timestamp) { current = start }

    public func now() -> Timestamp { lock.withLock { current } }

    public func advance(milliseconds: Int64) {
        lock.withLock { current = current.adding(milliseconds: milliseconds) }
    }
}
