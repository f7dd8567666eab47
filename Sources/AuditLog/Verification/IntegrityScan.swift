import Dispatch
import GRDB

/// SQLite's quick check and the index digests, run on a second read-only connection while the chain walk reads the
/// table on the first: the two scans share no state, and on two cores the check then costs little wall time.
///
/// The second connection's snapshot begins after the walk's, and a writer may commit between the two. Its result is
/// therefore only trusted when it proves the walk's snapshot sound: quick check "ok" and index digests equal to the
/// walk's table digests. Anything else is settled again on the walk's own connection (`integrityProblems`).
final class IntegrityScan: @unchecked Sendable {
    /// What the second connection saw.
    struct Outcome: Sendable {
        var quickCheckPassed: Bool
        var indexKeys: TableKeys
    }

    private let connection: DatabaseQueue?
    private let done = DispatchGroup()
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
                result = Result { try connection.read(Self.scan) }
                done.leave()
            }
        } catch {
            connection = nil
            result = .failure(error)
        }
    }

    /// Stops the scan early (the walk found a break, so the full check runs on the walk's connection) and waits.
    func cancel() {
        connection?.interrupt()
        done.wait()
    }

    /// Waits for the scan; an error (an interrupted or unreadable second connection) is returned, not thrown, since
    /// the caller then checks on its own connection.
    func outcome() -> Result<Outcome, any Error> {
        done.wait()
        return result
    }

    private static func scan(_ db: Database) throws -> Outcome {
        // A sequential scan gains nothing from a large cache; keep verify's memory flat.
        try db.execute(sql: "PRAGMA cache_size = -2000")
        let quick = try SQLiteEventStore.checkedTables.flatMap {
            try String.fetchAll(db, sql: "PRAGMA quick_check(\($0))")
        }
        return Outcome(quickCheckPassed: quick.allSatisfy { $0 == "ok" }, indexKeys: try SQLiteEventStore.indexKeys(db))
    }
}
