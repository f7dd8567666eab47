import AuditCrypto
import Foundation
import GRDB
import GRDBSQLite
import Logging

/// The durable log: one SQLite file in WAL mode, appended under `BEGIN IMMEDIATE`.
public final class SQLiteEventStore: EventStore, Sendable {
    public let path: String
    public let logID: String
    public let genesis: Digest
    let dbQueue: DatabaseQueue
    let clock: any AuditClock
    let logger: Logger
    /// Admission states of the sites this process has appended to; see `append(_:attaching:gate:)`.
    let siteStates = SiteStateCache()

    init(path: String, dbQueue: DatabaseQueue, meta: LogMeta, clock: any AuditClock, logger: Logger) {
        self.path = path
        self.dbQueue = dbQueue
        self.logID = meta.logID
        self.genesis = meta.genesis
        self.clock = clock
        self.logger = logger
    }

    /// Appends the drafts and stores the evidence files they name, in one transaction once the guard admits them.
    func append(
        _ drafts: [EventDraft], evidence: [[UInt8]], guard guardCheck: AppendGuard?
    ) throws(AuditLogError) -> [AppendResult] {
        try ChainAppender.validate(drafts)
        let recordedAt = clock.now()
        try ChainAppender.validate(drafts, recordedAt: recordedAt)
        let results = try Self.mapErrors {
            try dbQueue.write { db in
                if let guardCheck {
                    try ChainAppender.runGuard(
                        guardCheck, drafts: drafts,
                        isLogged: { id in
                            try Bool.fetchOne(
                                try db.cachedStatement(sql: "SELECT 1 FROM events WHERE event_id = ?"),
                                arguments: [id]) ?? false
                        },
                        events: { site in
                            var events: [LoggedEvent] = []
                            let statement = try db.cachedStatement(
                                sql: "SELECT \(EventRow.columns) FROM events WHERE site = ? ORDER BY seq")
                            try EventRow.forEach(db, statement, arguments: [site]) { event in
                                events.append(event)
                                return true
                            }
                            return events
                        })
                }
                for bytes in evidence { try Self.storeEvidence(bytes, in: db) }
                return try Self.append(drafts, recordedAt: recordedAt, genesis: genesis, in: db)
            }
        }
        logger.debug(
            "appended", metadata: ["count": "\(results.filter(\.inserted).count)", "log": "\(logID)"])
        return results
    }

    /// Runs inside the caller's IMMEDIATE transaction, so the head read here stays the head until commit.
    /// `sealed` sees each inserted event, in seq order, inside the transaction.
    static func append(
        _ drafts: [EventDraft], recordedAt: Timestamp, genesis: Digest, in db: Database,
        sealed: (LoggedEvent) throws -> Void = { _ in }
    ) throws -> [AppendResult] {
        var results: [AppendResult] = []
        try append(drafts, recordedAt: recordedAt, genesis: genesis, in: db, into: &results, sealed: sealed)
        return results
    }

    /// Like `append`, each draft's result added to `results` as it is settled: after a throw, `results` holds
    /// those of the drafts before the one refused, so a batch can tell which of them it inserted.
    static func append(
        _ drafts: [EventDraft], recordedAt: Timestamp, genesis: Digest, in db: Database,
        into results: inout [AppendResult], sealed: (LoggedEvent) throws -> Void = { _ in }
    ) throws {
        let headRow = try Row.fetchOne(
            try db.cachedStatement(sql: "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1"))
        var appender = ChainAppender(
            nextSeq: (headRow?[0] as Int64? ?? 0) + 1,
            lastHash: try headRow.map { row in try storedDigest(row[1], column: "hash") } ?? genesis,
            recordedAt: recordedAt)
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO events (\(EventRow.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (event_id) DO NOTHING
                """)
        results.reserveCapacity(results.count + drafts.count)
        // By index, not `enumerated()`, and the appender rolled back by hand rather than copied per event: each
        // copy retained a draft's texts, and a copied appender reallocated its message buffer at every seal.
        for index in drafts.indices {
            // One index probe per new event: the insert itself tells whether the id was already there.
            let observedAtText = drafts[index].observedAtText ?? appender.recordedAtText
            let before = (seq: appender.nextSeq, hash: appender.lastHash)
            let event = appender.seal(drafts[index], observedAtText: observedAtText)
            try EventRow.insert(
                event, observedAt: observedAtText, recordedAt: appender.recordedAtText, with: insert, in: db)
            if db.changesCount == 1 {
                try sealed(event)
                results.append(AppendResult(seq: event.seq, hash: event.hash, inserted: true))
                continue
            }
            (appender.nextSeq, appender.lastHash) = before
            let draft = drafts[index]
            var existing: LoggedEvent?
            let byID = try db.cachedStatement(sql: "SELECT \(EventRow.columns) FROM events WHERE event_id = ?")
            try EventRow.forEach(db, byID, arguments: [draft.eventID]) { event in
                existing = event
                return false
            }
            guard let existing else {
                throw AuditLogError.corrupt("event id \(draft.eventID) conflicts but is not stored")
            }
            guard ChainAppender.isRetry(of: existing, draft) else {
                // By its offset, so a batch can name the line; `mapErrors` unwraps it for single appends.
                throw BatchRefusal(offset: index, error: .eventIDConflict(eventID: draft.eventID, seq: existing.seq))
            }
            results.append(AppendResult(seq: existing.seq, hash: existing.hash, inserted: false))
        }
    }

    public func scan(_ filter: EventFilter, _ body: (LoggedEvent) -> Bool) throws(AuditLogError) {
        try Self.mapErrors {
            try dbQueue.read { db in
                let (sql, arguments) = Self.selection(filter)
                try EventRow.forEach(db, sql: sql, arguments: arguments, body)
            }
        }
    }

    /// The two columns straight from SQLite's buffers: decoding whole events cost 5% of a batch append.
    public func hashes(from first: Int64, through last: Int64, _ body: (Int64, Digest) -> Void) throws(AuditLogError) {
        try Self.mapErrors {
            try dbQueue.read { db in
                let statement = try db.cachedStatement(
                    sql: "SELECT seq, hash FROM events WHERE seq BETWEEN ? AND ? ORDER BY seq")
                statement.setUncheckedArguments([first, last])
                let sqlite = statement.sqliteStatement
                defer { sqlite3_reset(sqlite) }
                while try db.step(sqlite) {
                    let text = sqlite3_column_text(sqlite, 1)
                    let count = Int(sqlite3_column_bytes(sqlite, 1))
                    guard let text, let hash = Digest(hexBuffer: UnsafeRawBufferPointer(start: text, count: count))
                    else { throw AuditLogError.corrupt("seq \(sqlite3_column_int64(sqlite, 0)) has no valid hash") }
                    body(sqlite3_column_int64(sqlite, 0), hash)
                }
            }
        }
    }

    /// Like `scan`, for a listing: a site filter must name a site the log holds, so a typo is not an empty answer.
    /// `start` runs once the filter is known to be good, before the first event (a table header, say).
    public func list(
        _ filter: EventFilter, start: () -> Void = {}, _ body: (LoggedEvent) -> Void
    ) throws(AuditLogError) {
        if let site = filter.site, try events(EventFilter(site: site, limit: 1)).isEmpty { throw .unknownSite(site) }
        start()
        try scan(filter) { event in
            body(event)
            return true
        }
    }

    public func events(_ filter: EventFilter) throws(AuditLogError) -> [LoggedEvent] {
        var events: [LoggedEvent] = []
        try scan(filter) { event in
            events.append(event)
            return true
        }
        return events
    }

    public func head() throws(AuditLogError) -> (size: Int64, hash: Digest) {
        try Self.mapErrors {
            try dbQueue.read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
                else { return (0, genesis) }
                return (row[0], try Self.storedDigest(row[1], column: "hash"))
            }
        }
    }

    static func storedDigest(_ text: String?, column: String) throws -> Digest {
        guard let text, let digest = Digest(hex: text) else {
            throw AuditLogError.corrupt("\(column) '\(text ?? "NULL")' is not a lowercase SHA-256 hex digest")
        }
        return digest
    }

    /// Folds GRDB's untyped errors into the log's error type, keeping our own errors as they are.
    static func mapErrors<T>(_ body: () throws -> T) throws(AuditLogError) -> T {
        do {
            return try body()
        } catch let error as AuditLogError {
            throw error
        } catch let refusal as BatchRefusal {
            throw refusal.error
        } catch let error as DatabaseError {
            throw .database(error.message ?? "\(error.resultCode)")
        } catch {
            throw .database("\(error)")
        }
    }
}
