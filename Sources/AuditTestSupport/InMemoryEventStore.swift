import AuditCrypto
import AuditLog
import Foundation

/// The log held in memory: same chain and idempotency rules as the SQLite store, no durability.
public final class InMemoryEventStore: EventStore, @unchecked Sendable {
    public let logID: String
    private let clock: any AuditClock
    private let lock = NSLock()
    private var rows: [LoggedEvent] = []
    private var byEventID: [String: Int] = [:]
    private var files: [Digest: [UInt8]] = [:]

    public init(logID: String = UUID().uuidString.lowercased(), clock: any AuditClock = SystemClock()) {
        self.logID = logID
        self.clock = clock
    }

    public func append(
        _ drafts: [EventDraft], attaching evidence: [[UInt8]], guard guardCheck: AppendGuard?
    ) throws(AuditLogError) -> [AppendResult] {
        try ChainAppender.validate(drafts)
        for bytes in evidence where bytes.count > SQLiteEventStore.maximumEvidenceSize {
            throw .evidenceTooLarge(size: bytes.count, limit: SQLiteEventStore.maximumEvidenceSize)
        }
        lock.lock()
        defer { lock.unlock() }
        let recordedAt = clock.now()
        try ChainAppender.validate(drafts, recordedAt: recordedAt)
        if let guardCheck {
            do {
                try ChainAppender.runGuard(
                    guardCheck, drafts: drafts, isLogged: { byEventID[$0] != nil },
                    events: { site in rows.filter { $0.site == site } })
            } catch let error as AuditLogError {
                throw error
            } catch {
                throw .refused(error)
            }
        }
        do {
            var appender = ChainAppender(
                nextSeq: Int64(rows.count) + 1, lastHash: rows.last?.hash ?? ChainHash.genesis(logID: logID),
                recordedAt: recordedAt)
            var staged: [LoggedEvent] = []
            var stagedIndex: [String: Int] = [:]
            var results: [AppendResult] = []
            for draft in drafts {
                let existing =
                    byEventID[draft.eventID].map { rows[$0] } ?? stagedIndex[draft.eventID].map { staged[$0] }
                if let existing {
                    guard ChainAppender.isRetry(of: existing, draft) else {
                        throw .eventIDConflict(eventID: draft.eventID, seq: existing.seq)
                    }
                    results.append(AppendResult(seq: existing.seq, hash: existing.hash, inserted: false))
                    continue
                }
                let event = appender.seal(draft)
                stagedIndex[draft.eventID] = staged.count
                staged.append(event)
                results.append(AppendResult(seq: event.seq, hash: event.hash, inserted: true))
            }
            for event in staged {
                byEventID[event.eventID] = rows.count
                rows.append(event)
            }
            for bytes in evidence { files[SHA256.hash(bytes)] = bytes }
            return results
        }
    }

    /// All or nothing like the SQLite store's: what the parts added is taken back when one is refused.
    public func appendParts<Gate: SiteGuard>(
        gate: Gate, _ feed: (_ append: ([EventDraft]) throws -> [AppendResult]) throws -> Void
    ) throws {
        let saved = lock.withLock { (rows, byEventID, files) }
        do {
            try feed { part in
                do { return try append(part, attaching: [], gate: gate) } catch let error as AuditLogError {
                    guard case .invalidEvent(let index, _) = error else {
                        throw BatchRefusal(offset: nil, error: error)
                    }
                    throw BatchRefusal(offset: index, error: error)
                }
            }
        } catch {
            lock.withLock { (rows, byEventID, files) = saved }
            throw error
        }
    }

    public func events(_ filter: EventFilter) throws(AuditLogError) -> [LoggedEvent] {
        lock.withLock {
            var selected = rows.filter { event in
                (filter.site == nil || event.site == filter.site) && (filter.type == nil || event.type == filter.type)
                    && (filter.afterSeq == nil || event.seq > filter.afterSeq!)
            }
            if let limit = filter.limit { selected = Array(selected.prefix(limit)) }
            return selected
        }
    }

    public func evidence(_ sha256: Digest) throws(AuditLogError) -> [UInt8]? {
        lock.withLock { files[sha256] }
    }

    public func head() throws(AuditLogError) -> (size: Int64, hash: Digest) {
        lock.withLock { (Int64(rows.count), rows.last?.hash ?? ChainHash.genesis(logID: logID)) }
    }
}
