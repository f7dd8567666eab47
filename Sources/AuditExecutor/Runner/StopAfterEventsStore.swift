import AuditCrypto
import AuditLog
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A test hook: SIGKILLs this process right after the log holds `limit` events, to rehearse a crash at any point
/// of a run with a real kill (no cleanup, no flush beyond what the log already committed).
public struct StopAfterEventsStore: EventStore {
    private let inner: any EventStore
    private let limit: Int64

    public init(_ inner: any EventStore, limit: Int64) {
        self.inner = inner
        self.limit = limit
    }

    public var logID: String { inner.logID }

    public func append(
        _ drafts: [EventDraft], attaching evidence: [[UInt8]], guard check: AppendGuard?
    ) throws(AuditLogError) -> [AppendResult] {
        let results = try inner.append(drafts, attaching: evidence, guard: check)
        if try inner.head().size >= limit { kill(getpid(), SIGKILL) }
        return results
    }

    public func appendParts<Gate: SiteGuard>(
        gate: Gate, _ feed: (_ append: ([EventDraft]) throws -> [AppendResult]) throws -> Void
    ) throws {
        try inner.appendParts(gate: gate, feed)
        if try inner.head().size >= limit { kill(getpid(), SIGKILL) }
    }

    public func evidence(_ sha256: Digest) throws(AuditLogError) -> [UInt8]? { try inner.evidence(sha256) }

    public func events(_ filter: EventFilter) throws(AuditLogError) -> [LoggedEvent] { try inner.events(filter) }

    public func head() throws(AuditLogError) -> (size: Int64, hash: Digest) { try inner.head() }
}
