import AuditCrypto
import AuditLog
import Foundation
import GRDB

/// The witness state in its own SQLite file: trusted logs and, per origin, the last tree cosigned.
///
/// Each `advance` is one immediate write transaction with `synchronous = FULL`: once a cosignature is answered,
/// the tree it signed is on disk, so a witness killed and restarted never cosigns a checkpoint inconsistent with it.
public final class SQLiteWitnessState: WitnessStateStore, Sendable {
    public let path: String
    private let dbQueue: DatabaseQueue

    /// Opens (creating when absent) the state file at `path`.
    public init(path: String) throws(WitnessError) {
        self.path = path
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.label = "audit-witness"
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            dbQueue = try DatabaseQueue(path: path, configuration: config)
            try dbQueue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
            try Self.migrator.migrate(dbQueue)
        } catch {
            throw Self.describe(error, path: path)
        }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("0001_witness_state") { db in
            try db.execute(
                sql: """
                    CREATE TABLE trusted_log (
                        origin TEXT PRIMARY KEY NOT NULL,
                        vkey   TEXT NOT NULL
                    ) STRICT;
                    CREATE TABLE witnessed_tree (
                        origin     TEXT PRIMARY KEY NOT NULL REFERENCES trusted_log(origin),
                        size       INTEGER NOT NULL CHECK (size >= 0),
                        root       TEXT NOT NULL CHECK (length(root) = 64),
                        note       TEXT NOT NULL,
                        updated_at INTEGER NOT NULL
                    ) STRICT;
                    """)
        }
        return migrator
    }

    public func trust(_ log: TrustedLog) throws(WitnessError) {
        try run {
            try dbQueue.write { db in
                try db.execute(
                    sql: "INSERT INTO trusted_log (origin, vkey) VALUES (?, ?) "
                        + "ON CONFLICT (origin) DO UPDATE SET vkey = excluded.vkey",
                    arguments: [log.origin, log.key.description])
            }
        }
    }

    public func trustedLogs() throws(WitnessError) -> [TrustedLog] {
        try run {
            try dbQueue.read { db in
                try Row.fetchAll(db, sql: "SELECT origin, vkey FROM trusted_log ORDER BY origin").map { row in
                    try Self.trusted(origin: row[0], vkey: row[1])
                }
            }
        }
    }

    public func tree(origin: String) throws(WitnessError) -> WitnessedTree? {
        try run {
            try dbQueue.read { db in
                guard try Self.log(db, origin: origin) != nil else { return nil }
                return try Self.tree(db, origin: origin)
            }
        }
    }

    public func advance<T: Sendable>(
        origin: String, _ body: (TrustedLog, WitnessedTree) throws(WitnessError) -> (WitnessedTree, T)
    ) throws(WitnessError) -> T {
        try run {
            // IMMEDIATE: a second process on the same file waits for the lock instead of reading a stale tree.
            try dbQueue.writeWithoutTransaction { db in
                var outcome: T?
                try db.inTransaction(.immediate) {
                    outcome = try advance(db, origin: origin, body)
                    return .commit
                }
                guard let outcome else { throw WitnessError.storage("the transaction produced no answer") }
                return outcome
            }
        }
    }

    private func advance<T>(
        _ db: Database, origin: String, _ body: (TrustedLog, WitnessedTree) throws(WitnessError) -> (WitnessedTree, T)
    ) throws -> T {
        guard let log = try Self.log(db, origin: origin) else { throw WitnessError.unknownOrigin(origin) }
        let (tree, result) = try body(log, try Self.tree(db, origin: origin))
        guard let note = tree.note else { return result }
        try db.execute(
            sql: """
                INSERT INTO witnessed_tree (origin, size, root, note, updated_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root = excluded.root,
                    note = excluded.note, updated_at = excluded.updated_at
                """,
            arguments: [origin, tree.size, tree.root.hex, note, Int64(Date().timeIntervalSince1970)])
        return result
    }

    private static func log(_ db: Database, origin: String) throws -> TrustedLog? {
        guard
            let vkey = try String.fetchOne(
                db, sql: "SELECT vkey FROM trusted_log WHERE origin = ?", arguments: [origin])
        else { return nil }
        return try trusted(origin: origin, vkey: vkey)
    }

    private static func trusted(origin: String, vkey: String) throws -> TrustedLog {
        do { return try TrustedLog(origin: origin, key: try NoteVerifierKey(parsing: vkey)) } catch {
            throw WitnessError.storage("the stored key of '\(origin)' does not parse: \(oneLine(error))")
        }
    }

    private static func tree(_ db: Database, origin: String) throws -> WitnessedTree {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT size, root, note FROM witnessed_tree WHERE origin = ?", arguments: [origin])
        else { return .empty }
        guard let root = Digest(hex: row[1] as String) else {
            throw WitnessError.storage("the stored root of '\(origin)' is not a hash")
        }
        return WitnessedTree(size: row[0], root: root, note: row[2])
    }

    private func run<T>(_ body: () throws -> T) throws(WitnessError) -> T {
        do { return try body() } catch { throw Self.describe(error, path: path) }
    }

    private static func describe(_ error: any Error, path: String) -> WitnessError {
        switch error {
        case let error as WitnessError: error
        case let error as DatabaseError: .storage("\(path): \(error.message ?? "\(error.resultCode)")")
        default: .storage("\(path): \(error)")
        }
    }

    private static func oneLine(_ error: any Error) -> String {
        (error as? NoteError)?.description ?? "\(error)"
    }
}
