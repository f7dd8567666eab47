import AuditCrypto

/// The outcome of appending one draft.
public struct AppendResult: Sendable, Hashable {
    public var seq: Int64
    public var hash: Digest
    /// False when the event id was already in the log and nothing new was written.
    public var inserted: Bool

    public init(seq: Int64, hash: Digest, inserted: Bool) {
        self.seq = seq
        self.hash = hash
        self.inserted = inserted
    }
}

/// Which events to read; every field narrows the selection.
public struct EventFilter: Sendable, Hashable {
    public var site: String?
    public var type: String?
    public var afterSeq: Int64?
    public var limit: Int?

    public init(site: String? = nil, type: String? = nil, afterSeq: Int64? = nil, limit: Int? = nil) {
        self.site = site
        self.type = type
        self.afterSeq = afterSeq
        self.limit = limit
    }
}

/// Checks the drafts that are new to the log against their site's logged events. It runs inside the append's
/// transaction, so nothing can be appended between the check and the write.
public typealias AppendGuard = (_ site: String, _ logged: [LoggedEvent], _ new: [EventDraft]) throws -> Void

/// An append-only, hash-chained event log. The SQLite store is the real one; the in-memory one serves tests.
public protocol EventStore: Sendable {
    var logID: String { get }

    /// Appends all drafts in one transaction, all or nothing; a known event id returns its original seq. Once the
    /// guard admits the drafts, copies of the files they name (photos) are stored in the same transaction, so a
    /// refused event leaves no file behind.
    ///
    /// The log's primitive: writers of domain events go through `AuditDomain.SiteLog`, which passes the admission gate.
    func append(
        _ drafts: [EventDraft], attaching evidence: [[UInt8]], guard: AppendGuard?
    ) throws(AuditLogError) -> [AppendResult]

    /// Like `append(_:attaching:guard:)` with a guard that folds each site's state; a store may keep that state
    /// between appends, checked against the site's head, so admission does not re-read the history per event.
    func append<Gate: SiteGuard>(
        _ drafts: [EventDraft], attaching evidence: [[UInt8]], gate: Gate
    ) throws(AuditLogError) -> [AppendResult]

    /// Appends, in one transaction and all or nothing, every part `feed` hands to the `append` it is given; a
    /// refusal throws `BatchRefusal` naming the draft by its offset in the part. Errors `feed` throws roll back.
    func appendParts<Gate: SiteGuard>(
        gate: Gate, _ feed: (_ append: ([EventDraft]) throws -> [AppendResult]) throws -> Void
    ) throws

    /// The stored copy of the file with this SHA-256, or nil when the log holds none.
    func evidence(_ sha256: Digest) throws(AuditLogError) -> [UInt8]?

    func events(_ filter: EventFilter) throws(AuditLogError) -> [LoggedEvent]

    /// Hands each event the filter selects to `body`, in seq order, until it returns false.
    func scan(_ filter: EventFilter, _ body: (LoggedEvent) -> Bool) throws(AuditLogError)

    /// The number of events and the hash of the last one (the genesis hash when empty).
    func head() throws(AuditLogError) -> (size: Int64, hash: Digest)

    /// Hands the seq and hash of each event from `first` through `last` to `body`, in seq order: what a batch's
    /// acknowledgement reads back after commit.
    func hashes(from first: Int64, through last: Int64, _ body: (Int64, Digest) -> Void) throws(AuditLogError)
}

extension EventStore {
    /// By `scan`: right for a store in memory; the SQLite store reads the two columns alone.
    public func hashes(from first: Int64, through last: Int64, _ body: (Int64, Digest) -> Void) throws(AuditLogError) {
        try scan(EventFilter(afterSeq: first - 1)) { event in
            guard event.seq <= last else { return false }
            body(event.seq, event.hash)
            return true
        }
    }

    /// Reads the selection whole: right for a store in memory; the SQLite store streams instead.
    public func scan(_ filter: EventFilter, _ body: (LoggedEvent) -> Bool) throws(AuditLogError) {
        for event in try events(filter) where !body(event) { return }
    }
    /// Folds the site's whole history for every append: right for any store, fast for none.
    public func append<Gate: SiteGuard>(
        _ drafts: [EventDraft], attaching evidence: [[UInt8]], gate: Gate
    ) throws(AuditLogError) -> [AppendResult] {
        try append(drafts, attaching: evidence, guard: gate.appendGuard)
    }

    /// Appends with no evidence files.
    public func append(_ drafts: [EventDraft], guard check: AppendGuard?) throws(AuditLogError) -> [AppendResult] {
        try append(drafts, attaching: [], guard: check)
    }

    /// Appends without any guard: for tests, benchmarks and tools that load a log wholesale, not for writers.
    public func append(_ drafts: [EventDraft]) throws(AuditLogError) -> [AppendResult] {
        try append(drafts, guard: nil)
    }

    public func append(_ draft: EventDraft) throws(AuditLogError) -> AppendResult {
        try append([draft])[0]
    }

    public func events(site: String) throws(AuditLogError) -> [LoggedEvent] {
        try events(EventFilter(site: site))
    }
}
