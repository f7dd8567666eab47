import AuditCrypto
import Foundation
import GRDB

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

extension SQLiteEventStore {
    /// Appends through a guard whose per-site state is kept in this process and checked against the site's head
    /// inside the append's transaction: a stale state is caught up or rebuilt from the log, never trusted.
    public func append<Gate: SiteGuard>(
        _ drafts: [EventDraft], attaching evidence: [[UInt8]], gate: Gate
    ) throws(AuditLogError) -> [AppendResult] {
        for bytes in evidence where bytes.count > Self.maximumEvidenceSize {
            throw .evidenceTooLarge(size: bytes.count, limit: Self.maximumEvidenceSize)
        }
        try ChainAppender.validate(drafts)
        let recordedAt = clock.now()
        try ChainAppender.validate(drafts, recordedAt: recordedAt)
        let guardType = ObjectIdentifier(Gate.self)
        let (results, advanced) = try Self.mapErrors {
            try dbQueue.write { db in
                let isLogged = try db.cachedStatement(sql: "SELECT 1 FROM events WHERE event_id = ?")
                var seen = Set<String>()
                var sites: [String] = []
                var bySite: [String: [EventDraft]] = [:]
                for draft in drafts where seen.insert(draft.eventID).inserted {
                    guard try Bool.fetchOne(isLogged, arguments: [draft.eventID]) == nil else { continue }
                    if bySite[draft.site] == nil { sites.append(draft.site) }
                    bySite[draft.site, default: []].append(draft)
                }
                var states: [String: Gate.State] = [:]
                for site in sites {
                    let state = try siteState(site, gate: gate, key: SiteStateKey(site: site, guardType: guardType), db)
                    do { try gate.admit(bySite[site]!, site: site, state: state) } catch let error as AuditLogError {
                        throw error
                    } catch {
                        throw AuditLogError.refused(error)
                    }
                    states[site] = state
                }
                for bytes in evidence { try Self.storeEvidence(bytes, in: db) }
                var heads: [String: (Int64, Digest)] = [:]
                let results = try Self.append(drafts, recordedAt: recordedAt, genesis: genesis, in: db) { event in
                    // Every inserted event belongs to a site admitted above; fold it with its real seq.
                    guard var state = states[event.site] else { return }
                    try gate.apply(event, to: &state)
                    states[event.site] = state
                    heads[event.site] = (event.seq, event.hash)
                }
                let advanced = heads.map { site, head in
                    (
                        SiteStateKey(site: site, guardType: guardType),
                        CachedSiteState(seq: head.0, hash: head.1, state: states[site]!)
                    )
                }
                return (results, advanced)
            }
        }
        // Only a committed append moves the cache on.
        for (key, state) in advanced { siteStates[key] = state }
        logger.debug(
            "appended", metadata: ["count": "\(results.filter(\.inserted).count)", "log": "\(logID)"])
        return results
    }

    /// The site's state as of its head: the cached one when it names the head, caught up when it names an earlier
    /// event of the site that is still in the log, rebuilt from the whole history otherwise.
    func siteState<Gate: SiteGuard>(
        _ site: String, gate: Gate, key: SiteStateKey, _ db: Database
    ) throws -> Gate.State {
        let headRow = try Row.fetchOne(
            try db.cachedStatement(sql: "SELECT seq, hash FROM events WHERE site = ? ORDER BY seq DESC LIMIT 1"),
            arguments: [site])
        let headSeq: Int64? = headRow?[0]
        let headHash: String? = headRow?[1]
        if let cached = siteStates[key], var state = cached.state as? Gate.State {
            if cached.seq == headSeq, cached.hash?.hex == headHash { return state }
            if let seq = cached.seq, let hash = cached.hash, let headSeq, seq < headSeq,
                try String.fetchOne(
                    try db.cachedStatement(sql: "SELECT hash FROM events WHERE seq = ? AND site = ?"),
                    arguments: [seq, site]) == hash.hex
            {
                let after = try db.cachedStatement(
                    sql: "SELECT \(EventRow.columns) FROM events WHERE site = ? AND seq > ? ORDER BY seq")
                try EventRow.forEach(db, after, arguments: [site, seq]) { event in
                    try gate.apply(event, to: &state)
                    return true
                }
                return state
            }
        }
        var state = gate.initialState(site: site)
        let all = try db.cachedStatement(sql: "SELECT \(EventRow.columns) FROM events WHERE site = ? ORDER BY seq")
        try EventRow.forEach(db, all, arguments: [site]) { event in
            try gate.apply(event, to: &state)
            return true
        }
        return state
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
}
