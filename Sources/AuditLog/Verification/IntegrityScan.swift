import Dispatch
import Foundation
import GRDB

/// SQLite's quick check and the index digests, run on a second read-only connection while the chain walk reads the
/// table on the first: the two scans share no state, and on two cores the check then costs little wall time.
///
/// The second connection's snapshot begins after the walk's, and a writer may commit between the two. Its result is
/// therefore only trusted when it proves the walk's snapshot sound: quick check "ok", index digests equal to the
/// walk's table digests, and the same schema version, page count and free-page count as the walk's snapshot (a
/// rebuilt index holds the same rows in other pages). Anything else is settled again on the walk's own connection
/// (`integrityProblems`).
final class IntegrityScan: @unchecked Sendable {
    /// What the second connection saw.
    struct Outcome: Sendable {
        var quickCheckPassed: Bool
        var indexKeys: TableKeys
        /// The snapshot's `shape`: equal rows in a rebuilt file (a REINDEX or VACUUM committed between the two
        /// snapshots) still differ here.
        var shape: [Int64]
    }

    /// The schema version, page count and free-page count of the connection's snapshot.
    static func shape(_ db: Database) throws -> [Int64] {
        try ["schema_version", "page_count", "freelist_count"].map { try Int64.fetchOne(db, sql: "PRAGMA \($0)") ?? -1 }
    }

    private let connection: DatabaseQueue?
    private let done = DispatchGroup()
    /// Set by `cancel`, under `lock`; checked before each of the scan's statements, since an interrupt reaches only
    /// a statement that is running.
    private var isCancelled = false
    private let lock = NSLock()
    /// Written by the scan's thread before it leaves `done`, read only after waiting on it.
    private var result: Result<Outcome, any Error>

    /// Opens the second connection like `reader` (same file or URI, read-only) and starts the scan on another
    /// thread. A second connection that cannot open is no failure of the log: the walk's connection then checks.
    init(beside reader: DatabaseQueue) {
        var configuration = reader.configuration
        configuration.readonly = true
        configuration.label = "audit.integrity"
        do {
            let connection = try DatabaseQueue(path: reader.path, configuration: configuration)
            self.connection = connection
            result = .failure(CancellationError())
            done.enter()
            DispatchQueue.global().async { [self] in
                result = Result { try connection.read { db in try scan(db) } }
                done.leave()
            }
        } catch {
            connection = nil
            result = .failure(error)
        }
    }

    /// Stops the scan early (the walk found a break, so the full check runs on the walk's connection) and waits.
    func cancel() {
        lock.withLock { isCancelled = true }
        connection?.interrupt()
        done.wait()
    }

    /// Waits for the scan; an error (an interrupted or unreadable second connection) is returned, not thrown, since
    /// the caller then checks on its own connection.
    func outcome() -> Result<Outcome, any Error> {
        done.wait()
        return result
    }

    private func scan(_ db: Database) throws -> Outcome {
        func proceed() throws {
            if lock.withLock({ isCancelled }) { throw CancellationError() }
        }
        // A sequential scan gains nothing from a large cache; keep verify's memory flat.
        try db.execute(sql: "PRAGMA cache_size = -2000")
        let shape = try Self.shape(db)
        let quickCheckPassed = try SQLiteEventStore.quickCheckPasses(db, beforeEach: proceed)
        try proceed()
        return Outcome(
            quickCheckPassed: quickCheckPassed, indexKeys: try SQLiteEventStore.indexKeys(db), shape: shape)
    }
}
