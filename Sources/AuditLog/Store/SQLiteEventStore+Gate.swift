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

    /// The site's state as of its head: the kept one when it names the head, caught up when it names an earlier
    /// event of the site still in the log, restored from the site's snapshot row likewise, rebuilt otherwise.
    func siteState<Gate: SiteGuard>(_ site: String, gate: Gate, _ db: Database) throws -> Gate.State {
        let headRow = try Row.fetchOne(
            try db.cachedStatement(sql: "SELECT seq, hash FROM events WHERE site = ? ORDER BY seq DESC LIMIT 1"),
            arguments: [site])
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
        return try rebuild(site, gate: gate, keepingHistory: false, db)
    }

    /// The state folded on from the event at `seq`, or nil when that event is not the site's with that hash.
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
            sql: "SELECT \(EventRow.columns) FROM events WHERE site = ? AND seq > ? ORDER BY seq")
        try EventRow.forEach(db, after, arguments: [site, seq]) { event in
            try gate.apply(event, to: &state)
            return true
        }
        return state
    }

    /// The state folded from the site's whole history.
    func rebuild<Gate: SiteGuard>(
        _ site: String, gate: Gate, keepingHistory: Bool, _ db: Database
    ) throws -> Gate.State {
        var state = gate.initialState(site: site, keepingHistory: keepingHistory)
        let all = try db.cachedStatement(sql: "SELECT \(EventRow.columns) FROM events WHERE site = ? ORDER BY seq")
        try EventRow.forEach(db, all, arguments: [site]) { event in
            try gate.apply(event, to: &state)
            return true
        }
        return state
    }
}

/// One transaction's worth of gated appends; each `append` admits its drafts against the sites' states (read
/// once per site per transaction), inserts them and folds them in, so the next part sees them.
public struct GatedBatch<Gate: SiteGuard> {
    let store: SQLiteEventStore
    let gate: Gate
    let db: Database
    let recordedAt: Timestamp
    /// What the batch holds of a site it inserted events for.
    struct SiteEntry {
        /// The folded state, as of `head`.
        var state: Gate.State
        /// The site's last inserted event: the head its state names at commit.
        var head: (seq: Int64, hash: Digest)
        /// When the site was last touched, counted in sites admitted: beyond `keptSites`, the oldest are let go.
        var touch: Int
    }

    /// Each site this transaction inserted events for. One table, not one per field: with every site touched by
    /// every part, each String-keyed lookup was paid per site and part.
    var entries: [String: SiteEntry] = [:]
    var touches = 0
    /// Set while a part is appended and left set if it throws: the states may hold drafts that were not inserted,
    /// so the batch takes no more parts and does not commit (a feed that catches a refusal cannot go on with it).
    var spoiled = false

    /// How many sites' states a transaction holds at once: memory stays bounded however many sites a batch
    /// touches. A site let go is read again (snapshot row or log) if a later part touches it.
    public static var keptSites: Int { 4_096 }

    /// What the cache learns at commit.
    var kept: [String: CachedSiteState] {
        entries.mapValues { CachedSiteState(seq: $0.head.seq, hash: $0.head.hash, state: $0.state) }
    }

    init(store: SQLiteEventStore, gate: Gate, db: Database, recordedAt: Timestamp) {
        self.store = store
        self.gate = gate
        self.db = db
        self.recordedAt = recordedAt
    }

    /// Appends one part: validates, admits each site's new drafts, stores `evidence`, inserts; throws `BatchRefusal`.
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
        let isLogged = try db.cachedStatement(sql: "SELECT 1 FROM events WHERE event_id = ?")
        // The drafts new to the log are inserted in order right after the head: their seqs are known now.
        let head = try Int64.fetchOne(try db.cachedStatement(sql: "SELECT MAX(seq) FROM events")) ?? 0
        var nextSeq = head + 1
        var seen = Set<String>()
        // The sites in order of first draft, and each one's new drafts as offsets into `drafts`, not copies: a
        // draft's copy retains each of its texts and its data. One table lookup per draft.
        var sites: [String] = []
        var groups: [[(offset: Int, seq: Int64)]] = []
        var groupOf: [String: Int] = [:]
        for offset in drafts.indices where seen.insert(drafts[offset].eventID).inserted {
            guard try !Self.holds(isLogged, drafts[offset].eventID, db) else { continue }
            let site = drafts[offset].site
            if let number = groupOf[site] {
                groups[number].append((offset, nextSeq))
            } else {
                groupOf[site] = groups.count
                sites.append(site)
                groups.append([(offset, nextSeq)])
            }
            nextSeq += 1
        }
        // Each site's state as admitted, in the order of `sites`; back into `entries` once the insert placed them.
        var admitted: [Gate.State] = []
        admitted.reserveCapacity(sites.count)
        for (number, site) in sites.enumerated() {
            let group = groups[number]
            let news = group.map { drafts[$0.offset] }
            // Taken out of `entries` so the fold below holds the only reference and mutates it in place. Keep it
            // here: handed back through a helper's return it was copied, and a 200k-line batch took 20× longer.
            var state = try entries.removeValue(forKey: site)?.state ?? store.siteState(site, gate: gate, db)
            if !gate.canAdmit(news, with: state) {
                state = try store.rebuild(site, gate: gate, keepingHistory: true, db)
            }
            do {
                try gate.admitting(news, seqs: group.map(\.seq), recordedAt: recordedAt, site: site, state: &state)
                // Moved, not copied: a copy retained every array of the site's state.
                admitted.append(consume state)
            } catch {
                // The state is void after a refusal: read it again (the log holds this batch's earlier parts).
                var before = try store.siteState(site, gate: gate, db)
                if !gate.canAdmit(news, with: before) {
                    before = try store.rebuild(site, gate: gate, keepingHistory: true, db)
                }
                // Said as an admission without foretold seqs says it: a refused batch's seqs never exist.
                var reason = error
                do { try gate.admit(news, site: site, state: before) } catch { reason = error }
                throw BatchRefusal(
                    offset: try firstRefused(group.map { ($0.offset, drafts[$0.offset]) }, state: before),
                    error: Self.refusal(reason))
            }
        }
        for bytes in evidence { try SQLiteEventStore.storeEvidence(bytes, in: db) }
        let results: [AppendResult]
        do {
            results = try SQLiteEventStore.append(drafts, recordedAt: recordedAt, genesis: store.genesis, in: db)
        } catch let error as AuditLogError {
            // Only the id clash names its draft (a `BatchRefusal` already); nothing else is one draft's fault.
            throw BatchRefusal(offset: nil, error: error)
        }
        // The states were folded at the seqs foretold above: an insert that placed the drafts otherwise voids them.
        let inserted = results.lazy.filter(\.inserted)
        guard inserted.count == nextSeq - head - 1, inserted.first.map({ $0.seq == head + 1 }) ?? true else {
            throw BatchRefusal(
                offset: nil, error: .corrupt("the batch's events were not inserted at the seqs its admission folded"))
        }
        // Each admitted site's head is its last new draft: set once per site and part, not once per event.
        for (number, site) in sites.enumerated() {
            let last = groups[number].last!
            touches += 1
            entries[site] = SiteEntry(
                state: admitted[number], head: (last.seq, results[last.offset].hash), touch: touches)
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

    /// Whether the statement (one text argument) returns a row; by SQLite's calls, as GRDB's generic fetch cost
    /// 8% of a batch append here, once per draft.
    static func holds(_ statement: Statement, _ text: String, _ db: Database) throws -> Bool {
        statement.setUncheckedArguments([text])
        let sqlite = statement.sqliteStatement
        defer { sqlite3_reset(sqlite) }
        return try db.step(sqlite)
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

    private func keepSnapshot(site: String, _ state: Gate.State, _ head: (seq: Int64, hash: Digest)) throws {
        guard let bytes = gate.snapshot(of: state) else { return }
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
