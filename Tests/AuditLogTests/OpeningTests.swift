import AuditCrypto
import AuditTestSupport
import Foundation
import GRDB
import Testing

@testable import AuditLog

@Suite struct OpeningTests {
    /// SHA-256 of each shipped migration. A shipped migration is frozen: add a new file instead of editing one.
    static let frozen: [String: String] = [
        "0001_event_log.sql": "72be52cd1d9ea99dcc304acdd8631516b5f0997442ca0e9742b40e893e5996d7",
        "0002_evidence.sql": "0ba110492385dd173087bbb583106594bf45b4f0c5c1f7c072c4b33357aa018d",
        "0003_installer.sql": "6c542621a964a2ab1a5b38dbd431bf829481fee6732c47bd1d7e6d6499c407f1",
        "0004_witnesses.sql": "a0852a76c244c515b7cf04f967de3a835631bc981dc2e7db51d76e9df60ae6fa",
        "0005_site_snapshots.sql": "26ad440c003a665708d5eb3c5d248ab62ebe4f81c1b425cf27a5fa549cf720b0",
    ]

    @Test func shippedMigrationsAreFrozen() {
        for file in Migrations.files {
            let expected = Self.frozen[file.name]
            #expect(expected != nil, "new migration \(file.name): add its SHA-256 to OpeningTests.frozen")
            if let expected { #expect(SHA256.hash(file.contents).hex == expected, "\(file.name) was edited") }
        }
        #expect(Migrations.files.map(\.name) == Self.frozen.keys.sorted())
    }

    @Test func refusesAFileThatIsNotSQLiteAndLeavesItAlone() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("notes.txt")
        try Data("not a database\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: AuditLogError.notAnAuditLog(path: path, reason: "it is not an SQLite database")) {
            try SQLiteEventStore.open(at: path)
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "not a database\n")
    }

    @Test func refusesAnotherApplicationsDatabaseWithoutTouchingIt() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("other.db")
        try DatabaseQueue(path: path).write { db in try db.execute(sql: "CREATE TABLE t(x); INSERT INTO t VALUES (1)") }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(
            throws: AuditLogError.notAnAuditLog(path: path, reason: "it is an SQLite database of another application")
        ) { try SQLiteEventStore.open(at: path) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func refusesALogWrittenByANewerSchema() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("log.db")
        _ = try SQLiteEventStore.create(at: path).append(draft())
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('0099_from_the_future')")
        }
        #expect(throws: AuditLogError.newerSchema(path: path, migration: "0099_from_the_future")) {
            try SQLiteEventStore.open(at: path)
        }
    }

    @Test func initRefusesAnExistingFile() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("log.db")
        _ = try SQLiteEventStore.create(at: path)
        #expect(throws: AuditLogError.alreadyExists(path: path)) { try SQLiteEventStore.create(at: path) }
    }

    @Test func theLogIsInWALModeWithAppendOnlyTriggers() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("log.db")
        _ = try SQLiteEventStore.create(at: path).append(draft())
        let db = try DatabaseQueue(path: path)
        let (journal, applicationID) = try db.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int32.fetchOne(db, sql: "PRAGMA application_id"))
        }
        #expect(journal == "wal")
        #expect(applicationID == SQLiteEventStore.applicationID)
        #expect(throws: DatabaseError.self) { try db.write { try $0.execute(sql: "UPDATE events SET site = 'x'") } }
        #expect(throws: DatabaseError.self) { try db.write { try $0.execute(sql: "DELETE FROM events") } }
        #expect(throws: DatabaseError.self) {
            try db.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO events VALUES (5, 'id', 's', NULL, 't', '{}', 'o', 'r', 'a', 'p', 'h')
                        """)
            }
        }
    }
}
