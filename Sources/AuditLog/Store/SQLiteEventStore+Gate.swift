import AuditCore
import AuditCrypto
import Foundation
import GRDB
import GRDBSQLite

/// Each site's folded admission state, kept between appends of one process.
final class SiteStateCache: @unchecked Sendable {
    // Guarded by `lock`; `@unchecked` because NSLock is the only portable lock before macOS 15's Mutex.
    private let lock = NSLock()
    private var states: [SiteStateKey: CachedSiteState] = [:]

    subscript(key: SiteStateKey) -> CachedSiteState? {
        get { lock.withLock { states[key] } }
        set { lock.withLock { states[key] = newValue } }
    }
}

/// A refusal inside a batch, with the offset of the draft it names within the part handed to `GatedBatch.append`;
/// nil when no one draft is to blame (the disk, the database).
public struct BatchRefusal: Error, Sendable {
    public var offset: Int?
    public var error: AuditLogError

    public init(offset: Int?, error: AuditLogError) {
        self.offset = offset
        self.error = error
    }
}

extension SQLiteEventStore {
    /// Appends through a guard whose per-site state is kept in this process and checked against the site's head
    /// inside the append's transaction: a stale state is caught up or rebuilt from the log, never trusted.
    public func append<Gate: SiteGuard>(
        _ drafts: [EventDraft], attaching evidence: [[UInt8]], gate: Gate
    ) throws(AuditLogError) -> [AppendResult] {
        for bytes in evidence where bytes.count > Self.maximumEvidenceSize {
            throw .evidenceTooLarge(size: bytes.count, limit: Self.maximumEvidenceSize)
        }
        var results: [AppendResult] = []
        do {
            try appendBatch(gate: gate) { batch in results = try batch.append(drafts, attaching: evidence) }
        } catch let refusal as BatchRefusal {
            throw refusal.error
        } catch let error as AuditLogError {
            throw error
        } catch {
            throw .database(oneLineMessage(error))
        }
        return results
    }

    /// Appends drafts handed over in parts by `feed`, all in one transaction: all or nothing, however many parts,
    /// while the memory held is one part's and each site's folded state. A throw from `feed` rolls back.
    ///
    /// `GatedBatch.append` throws `BatchRefusal`; `feed` may throw its own errors, which are rethrown as they are.
    public func appendBatch<Gate: SiteGuard>(gate: Gate, _ feed: (inout GatedBatch<Gate>) throws -> Void) throws {
        let recordedAt = clock.now()
        let advanced = try dbQueue.write { db in
            var batch = GatedBatch(store: self, gate: gate, db: db, recordedAt: recordedAt)
            try feed(&batch)
            try batch.checkIntact()
            try batch.keepSnapshots()
            return batch.kept
        }
        // Only a committed append moves the cache on.
        for (site, head) in advanced {
            siteStates[SiteStateKey(site: site, guardType: ObjectIdentifier(Gate.self))] = head
        }
        logger.debug("appended", metadata: ["sites": "\(advanced.count)", "log": "\(logID)"])
    }

    public func appendParts<Gate: SiteGuard>(
        gate: Gate, _ feed: (_ append: ([EventDraft]) throws -> [AppendResult]) throws -> Void
    ) throws {
        try appendBatch(gate: gate) { batch in try feed { part in try batch.append(part) } }
    }

    /// The site's state as of its head (its last event up to seq `through`): the kept one when it names the head,
    /// caught up when it names an earlier event of the site still in the log, restored from the site's snapshot
    /// row likewise, rebuilt otherwise.
    func siteState<Gate: SiteGuard>(
        _ site: String, gate: Gate, through last: Int64 = .max, _ db: Database
    ) throws -> Gate.State {
        let headRow = try Row.fetchOne(
            try db.cachedStatement(
                sql: "SELECT seq, hash FROM events WHERE site = ? AND seq <= ? ORDER BY seq DESC LIMIT 1"),
            arguments: [site, last])
        guard let headRow else { return gate.initialState(site: site, keepingHistory: false) }
        let headSeq: Int64 = headRow[0]
        let headHash: String = headRow[1]
        let key = SiteStateKey(site: site, guardType: ObjectIdentifier(Gate.self))
        if let cached = siteStates[key], let state = cached.state as? Gate.State, let seq = cached.seq,
            let hash = cached.hash
        {
            if seq == headSeq, hash.hex == headHash { return state }
            if let caughtUp = try catchUp(state, site: site, from: seq, hash: hash.hex, head: headSeq, gate: gate, db) {
                return caughtUp
            }
        }
        if let row = try Row.fetchOne(
            try db.cachedStatement(sql: "SELECT seq, hash, state FROM site_snapshot WHERE site = ? AND format = ?"),
            arguments: [site, Gate.snapshotFormat])
        {
            let seq: Int64 = row[0]
            let hash: String = row[1]
            let bytes: Data = row[2]
            if let restored = gate.restore(Array(bytes), site: site),
                let caughtUp = try catchUp(restored, site: site, from: seq, hash: hash, head: headSeq, gate: gate, db)
            {
                return caughtUp
            }
        }
        return try rebuild(site, gate: gate, keepingHistory: false, through: last, db)
    }

    /// The state folded on from the event at `seq` up to `head`, or nil when that event is not the site's with
    /// that hash.
    private func catchUp<Gate: SiteGuard>(
        _ kept: Gate.State, site: String, from seq: Int64, hash: String, head: Int64, gate: Gate, _ db: Database
    ) throws -> Gate.State? {
        guard seq <= head,
            try String.fetchOne(
                try db.cachedStatement(sql: "SELECT hash FROM events WHERE seq = ? AND site = ?"),
                arguments: [seq, site]) == hash
        else { return nil }
        var state = kept
        guard seq < head else { return state }
        let after = try db.cachedStatement(
            sql: "SELECT \(EventRow.columns) FROM events WHERE site = ? AND seq > ? AND seq <= ? ORDER BY seq")
        try EventRow.forEach(db, after, arguments: [site, seq, head]) { event in
            try gate.apply(event, to: &state)
            return true
        }
        return state
    }

    /// The state folded from the site's whole history, or from its events up to seq `through`.
    func rebuild<Gate: SiteGuard>(
        _ site: String, gate: Gate, keepingHistory: Bool, through last: Int64 = .max, _ db: Database
    ) throws -> Gate.State {
        var state = gate.initialState(site: site, keepingHistory: keepingHistory)
        let all = try db.cachedStatement(
            sql: "SELECT \(EventRow.columns) FROM events WHERE site = ? AND seq <= ? ORDER BY seq")
        try EventRow.forEach(db, all, arguments: [site, last]) { event in
            try gate.apply(event, to: &state)
            return true
        }
        return state
    }
}

/// One transaction's worth of gated appends; each `append` inserts its drafts, then admits the new ones against
/// the sites' states (read once per site per transaction) and folds them in, so the next part sees them.
/// Not copyable: a copy would share the sites' entries (and a refused part's spoiled mark would not follow it).
public struct GatedBatch<Gate: SiteGuard>: ~Copyable {
    let store: SQLiteEventStore
    let gate: Gate
    let db: Database
    let recordedAt: Timestamp
    /// What the batch holds of a site it inserted events for. A class, so each state is folded where it lies:
    /// this code is generic, and each read of a struct entry through the table copied the whole state (every
    /// array of it retained, then released).
    final class SiteEntry {
        /// The folded state, as of `head`.
        var state: Gate.State
        /// The site's last inserted event: the head its state names at commit. Nil only between the entry's
        /// creation and the end of its first part (whose insert gives it), or after a refusal spoiled the batch.
        var head: (seq: Int64, hash: Digest)?
        /// When the site was last touched, counted in sites admitted: beyond `keptSites`, the oldest are let go.
        var touch: Int
        /// The part that last grouped this site, and the site's group in it: grouping a part costs one table
        /// lookup per draft, and no table of its own.
        var groupedIn = 0
        var group = 0

        init(state: Gate.State, head: (seq: Int64, hash: Digest)?, touch: Int) {
            self.state = state
            self.head = head
            self.touch = touch
        }
    }

    /// Each site this transaction inserted events for. One table, not one per field: with every site touched by
    /// every part, each String-keyed lookup was paid per site and part.
    var entries: [String: SiteEntry] = [:]
    var touches = 0
    /// Parts appended so far: names the part a site entry was last grouped in.
    var parts = 0
    /// Set while a part is appended and left set if it throws: the log and the states may hold refused drafts,
    /// so the batch takes no more parts and does not commit (a feed that catches a refusal cannot go on with it).
    var spoiled = false

    /// How many sites' states a transaction holds at once: memory stays bounded however many sites a batch
    /// touches. A site let go is read again (snapshot row or log) if a later part touches it.
    public static var keptSites: Int { 4_096 }

    /// What the cache learns at commit.
    var kept: [String: CachedSiteState] {
        entries.compactMapValues { entry in
            entry.head.map { CachedSiteState(seq: $0.seq, hash: $0.hash, state: entry.state) }
        }
    }

    init(store: SQLiteEventStore, gate: Gate, db: Database, recordedAt: Timestamp) {
        self.store = store
        self.gate = gate
        self.db = db
        self.recordedAt = recordedAt
    }

    /// Appends one part: validates, stores `evidence`, inserts, then admits each site's new drafts (a refusal rolls
    /// the batch back); throws `BatchRefusal`.
    public mutating func append(_ drafts: [EventDraft], attaching evidence: [[UInt8]] = []) throws -> [AppendResult] {
        try checkIntact()
        spoiled = true
        do {
            try ChainAppender.validate(drafts)
            try ChainAppender.validate(drafts, recordedAt: recordedAt)
        } catch {
            guard case .invalidEvent(let index, let reason) = error else {
                throw BatchRefusal(offset: nil, error: error)
            }
            throw BatchRefusal(offset: index, error: .invalidEvent(index: index, reason))
        }
        // The log's last seq before the part: states read after the insert are read up to it.
        let head = try Int64.fetchOne(try db.cachedStatement(sql: "SELECT MAX(seq) FROM events")) ?? 0
        for bytes in evidence { try SQLiteEventStore.storeEvidence(bytes, in: db) }
        // Inserted first, admitted after, in the same transaction: the insert's own index probe tells which drafts
        // are new (a probe of its own per draft cost a tenth of a batch append), and a refusal rolls it all back.
        var results: [AppendResult] = []
        do {
            try SQLiteEventStore.append(
                drafts, recordedAt: recordedAt, genesis: store.genesis, in: db, into: &results)
        } catch let conflict as BatchRefusal {
            throw try refusalAfterConflict(conflict, drafts, settled: results, head: head)
        } catch let error as AuditLogError {
            // Only the id clash names its draft (a `BatchRefusal` already); nothing else is one draft's fault.
            throw BatchRefusal(offset: nil, error: error)
        }
        let news = Self.inserted(results)
        parts += 1
        let grouped = try group(news, of: drafts, head: head)
        try admit(grouped, drafts, head: head)
        // Each admitted site's head is its last new draft: set once per site and part, not once per event.
        for number in grouped.entries.indices {
            let last = grouped.placed[grouped.starts[number + 1] - 1]
            touches += 1
            grouped.entries[number].head = (last.seq, results[last.offset].hash)
            grouped.entries[number].touch = touches
        }
        do { try letGoOfOldSites() } catch { throw BatchRefusal(offset: nil, error: Self.refusal(error)) }
        spoiled = false
        return results
    }

    /// Throws once a part of this batch was refused: it must roll back.
    func checkIntact() throws {
        guard spoiled else { return }
        throw BatchRefusal(offset: nil, error: .database("a part of this batch was refused; the batch cannot go on"))
    }

    /// The drafts the insert logged, by their offset in the part (the same as in `results`), at their seqs.
    static func inserted(_ results: [AppendResult]) -> [PlacedDraft] {
        var news: [PlacedDraft] = []
        news.reserveCapacity(results.count)
        for offset in results.indices where results[offset].inserted {
            news.append(PlacedDraft(offset: offset, seq: results[offset].seq))
        }
        return news
    }

    /// The new drafts of a part grouped by site, each group in input order: `entries[n]` is the n-th site's entry,
    /// `placed[starts[n]..<starts[n + 1]]` its drafts. The sites come in order of their first new draft. A site
    /// this batch has not touched yet gets its entry here, its state read up to `head` (the log before the part),
    /// so a site whose drafts were all retries is never read. Flat arrays, so a part of drafts for 2,000 sites
    /// does not allocate 2,000 arrays, and one table lookup per new draft.
    private mutating func group(
        _ news: [PlacedDraft], of drafts: [EventDraft], head: Int64
    ) throws -> (entries: [SiteEntry], placed: [PlacedDraft], starts: [Int]) {
        var groupEntries: [SiteEntry] = []
        var groupOf = [Int](repeating: 0, count: news.count)
        // By index, not `enumerated()`: this code is generic, and each step of that iterator looked up its type.
        for number in news.indices {
            let site = drafts[news[number].offset].site
            let entry: SiteEntry
            if let known = entries[site] {
                entry = known
            } else {
                entry = SiteEntry(
                    state: try store.siteState(site, gate: gate, through: head, db), head: nil, touch: touches)
                entries[site] = entry
            }
            if entry.groupedIn != parts {
                entry.groupedIn = parts
                entry.group = groupEntries.count
                groupEntries.append(entry)
            }
            groupOf[number] = entry.group
        }
        // A counting sort: each group's drafts side by side, in input order.
        var starts = [Int](repeating: 0, count: groupEntries.count + 1)
        for group in groupOf { starts[group + 1] += 1 }
        for group in groupEntries.indices { starts[group + 1] += starts[group] }
        var placed = news
        var next = starts
        for number in news.indices {
            placed[next[groupOf[number]]] = news[number]
            next[groupOf[number]] += 1
        }
        return (groupEntries, placed, starts)
    }

    /// Admits each site's group, folding it into the site's entry in place (a class: this code is generic, and a
    /// state taken out of the table and put back was copied, every array of it retained and released).
    private func admit(
        _ grouped: (entries: [SiteEntry], placed: [PlacedDraft], starts: [Int]), _ drafts: [EventDraft],
        head: Int64
    ) throws {
        for number in grouped.entries.indices {
            let entry = grouped.entries[number]
            let placed = grouped.placed[grouped.starts[number]..<grouped.starts[number + 1]]
            let site = drafts[placed[placed.startIndex].offset].site
            if !gate.canAdmit(drafts, at: placed, with: entry.state) {
                entry.state = try store.rebuild(site, gate: gate, keepingHistory: true, through: head, db)
            }
            do {
                try gate.admitting(drafts, at: placed, recordedAt: recordedAt, site: site, state: &entry.state)
            } catch {
                throw try refusal(error, site: site, placed.map { ($0.offset, drafts[$0.offset]) }, head: head)
            }
        }
    }

    /// An id clash stopped the insert at a draft: the refusal is the one the gate gives first, if any, as when
    /// every draft was admitted before the insert; else the clash. The drafts new to the log are those inserted
    /// before the clash and, after it, those whose id neither the log nor an earlier draft holds, each at the seq
    /// it would have had.
    private mutating func refusalAfterConflict(
        _ conflict: BatchRefusal, _ drafts: [EventDraft], settled: [AppendResult], head: Int64
    ) throws -> BatchRefusal {
        guard let clash = conflict.offset else { return conflict }
        var news = Self.inserted(settled)
        var nextSeq = (news.last?.seq ?? head) + 1
        var seen = Set(drafts[...clash].map(\.eventID))
        let isLogged = try db.cachedStatement(sql: "SELECT 1 FROM events WHERE event_id = ?")
        for offset in drafts.indices.dropFirst(clash + 1) where seen.insert(drafts[offset].eventID).inserted {
            let logged = try Bool.fetchOne(isLogged, arguments: [drafts[offset].eventID]) ?? false
            guard !logged else { continue }
            news.append(PlacedDraft(offset: offset, seq: nextSeq))
            nextSeq += 1
        }
        parts += 1
        try admit(try group(news, of: drafts, head: head), drafts, head: head)
        return conflict
    }

    /// The refusal of a site's drafts as an admission without foretold seqs says it (a refused batch's seqs never
    /// exist), naming the first draft refused. The state in the batch is void after a refusal, so it is read again
    /// from the log, which holds this batch's earlier parts.
    private func refusal(
        _ error: any Error, site: String, _ group: [(offset: Int, draft: EventDraft)], head: Int64
    ) throws -> BatchRefusal {
        let news = group.map(\.draft)
        // The log already holds the part: the state before it is the fold of the site up to `head`.
        let before = try store.rebuild(site, gate: gate, keepingHistory: true, through: head, db)
        var reason = error
        do { try gate.admit(news, site: site, state: before) } catch { reason = error }
        return BatchRefusal(offset: try firstRefused(group, state: before), error: Self.refusal(reason))
    }

    /// Keeps the states of the `keptSites` sites touched last; the others' snapshots, where worth keeping, are
    /// written now (in this transaction, naming an event of it), so a later part restores them cheaply.
    private mutating func letGoOfOldSites() throws {
        guard entries.count > Self.keptSites else { return }
        let oldest = entries.map { (site: $0.key, touch: $0.value.touch) }.sorted { $0.touch < $1.touch }
            .prefix(entries.count - Self.keptSites).map(\.site)
        for site in oldest {
            if let entry = entries.removeValue(forKey: site) { try keepSnapshot(site: site, entry.state, entry.head) }
        }
    }

    /// The offset of the first draft the gate refuses: the shortest refused prefix, found by bisection, so a
    /// refusal costs a few more admissions, never one per draft.
    private func firstRefused(_ group: [(offset: Int, draft: EventDraft)], state: Gate.State) throws -> Int {
        var accepted = 0
        var refused = group.count
        while refused - accepted > 1 {
            let middle = (accepted + refused) / 2
            do {
                try gate.admit(group[..<middle].map(\.draft), site: group[0].draft.site, state: state)
                accepted = middle
            } catch { refused = middle }
        }
        return group[refused - 1].offset
    }

    static func refusal(_ error: any Error) -> AuditLogError {
        error as? AuditLogError ?? .refused(error)
    }

    /// Writes each touched site's snapshot row, where the guard finds its state worth keeping, in the same
    /// transaction as its events, so a row never names an event that did not commit.
    func keepSnapshots() throws {
        for (site, entry) in entries { try keepSnapshot(site: site, entry.state, entry.head) }
    }

    /// An entry whose head is not set (its part was refused, so the batch rolls back) has nothing to keep.
    private func keepSnapshot(site: String, _ state: Gate.State, _ head: (seq: Int64, hash: Digest)?) throws {
        guard let head, let bytes = gate.snapshot(of: state) else { return }
        let upsert = try db.cachedStatement(
            sql: """
                INSERT INTO site_snapshot (site, format, seq, hash, state) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (site, format) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, state = excluded.state
                """)
        try upsert.execute(arguments: [site, Gate.snapshotFormat, head.seq, head.hash.hex, Data(bytes)])
    }
}

extension SQLiteEventStore {
    /// The state this process keeps for a site, with the head it names; for tests comparing it with a rebuild.
    package func cachedState<Gate: SiteGuard>(
        site: String, gate: Gate
    ) -> (seq: Int64?, hash: Digest?, state: Gate.State)? {
        guard let cached = siteStates[SiteStateKey(site: site, guardType: ObjectIdentifier(Gate.self))],
            let state = cached.state as? Gate.State
        else { return nil }
        return (cached.seq, cached.hash, state)
    }

    /// Replaces the kept state, as a stale or forged cache would: for tests that it is checked, not trusted.
    package func replaceCachedState<Gate: SiteGuard>(
        site: String, gate: Gate, seq: Int64?, hash: Digest?, state: Gate.State
    ) {
        siteStates[SiteStateKey(site: site, guardType: ObjectIdentifier(Gate.self))] = CachedSiteState(
            seq: seq, hash: hash, state: state)
    }

    /// A site's snapshot row as stored, for tests comparing it with a rebuild.
    package func snapshotRow(site: String, format: String) throws -> (seq: Int64, hash: String, state: [UInt8])? {
        try dbQueue.read { db in
            try Row.fetchOne(
                db, sql: "SELECT seq, hash, state FROM site_snapshot WHERE site = ? AND format = ?",
                arguments: [site, format]
            ).map { row in (row[0], row[1], Array(row[2] as Data)) }
        }
    }
}
