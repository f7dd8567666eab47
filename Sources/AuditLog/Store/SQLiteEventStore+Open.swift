import AuditCrypto
import Foundation
import GRDB
import Logging

/// The log's identity row.
struct LogMeta: Sendable {
    var logID: String
    var genesis: Digest
}

extension SQLiteEventStore {
    /// `PRAGMA application_id` of every audit log ("AUDT"): how a file is told apart from other SQLite files.
    public static let applicationID: Int32 = 0x4155_4454
    public static let hashFormat = "audit-chain-v1"
    /// The newest schema migration this build writes; logs at it or any earlier one are read.
    public static var schemaVersion: String { Migrations.files.last.map { Migrations.identifier($0.name) } ?? "none" }

    public struct Options: Sendable {
        /// FULL makes a commit durable across power loss; NORMAL only across process crashes.
        public enum Synchronous: String, Sendable {
            case full = "FULL"
            case normal = "NORMAL"
        }

        public var synchronous: Synchronous
        public var busyTimeout: TimeInterval
        /// SQLite's page cache; large batches spill to disk and re-read pages when it is small. 24 MB is the knee
        /// measured on a 1M-event batch (README): 64 MB gains 5% for 40 MB more, and 16 MB doubles system time.
        public var cacheKiB: Int

        public init(synchronous: Synchronous = .full, busyTimeout: TimeInterval = 30, cacheKiB: Int = 24_576) {
            self.synchronous = synchronous
            self.busyTimeout = busyTimeout
            self.cacheKiB = cacheKiB
        }
    }

    /// Creates a new, empty log; refuses to touch a file that already exists.
    ///
    /// The log is built whole under a hidden temporary name beside `path`, made durable, then published with
    /// link(2), which refuses an existing name: a kill at any instant leaves either no log or a complete one.
    public static func create(
        at path: String, options: Options = Options(), clock: any AuditClock = SystemClock(),
        logger: Logger = Logger(label: "audit.log")
    ) throws(AuditLogError) -> SQLiteEventStore {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw .database("\(directory): \(error.localizedDescription)")
            }
        }
        if let loop = symbolicLinkLoop(path) { throw loop }
        if access(path, F_OK) == 0 { throw .alreadyExists(path: path) }
        // A link to nothing is a name link(2) cannot take: say so rather than that a log "already exists".
        var linkStatus = stat()
        if lstat(path, &linkStatus) == 0 {
            throw .notAnAuditLog(
                path: path, reason: "it is a symbolic link to a missing file; give the link's target or remove it")
        }
        let name = (path as NSString).lastPathComponent
        let staging = ((directory.isEmpty ? "." : directory) as NSString)
            .appendingPathComponent(".\(name).partial-\(UUID().uuidString.lowercased())")
        defer {
            for suffix in ["", "-wal", "-shm", "-journal"] { unlink(staging + suffix) }
        }
        do {
            try build(at: staging, options: options, clock: clock)
        } catch {
            throw Self.describe(error, path: path)
        }
        guard link(staging, path) == 0 else {
            if errno == EEXIST { throw .alreadyExists(path: path) }
            throw .database("\(path): \(String(cString: strerror(errno)))")
        }
        syncDirectory(directory.isEmpty ? "." : directory)
        logger.info("created log", metadata: ["path": "\(path)"])
        return try open(at: path, options: options, clock: clock, logger: logger)
    }

    /// Writes a complete empty log at `path`, checkpoints its WAL into the main file and closes it.
    private static func build(at path: String, options: Options, clock: any AuditClock) throws {
        let dbQueue = try DatabaseQueue(path: path, configuration: configuration(options, expectLog: false))
        let logID = UUID().uuidString.lowercased()
        try dbQueue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA application_id = \(applicationID)")
            try db.execute(sql: "PRAGMA journal_mode = WAL")
        }
        try Migrations.migrator.migrate(dbQueue)
        try dbQueue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO log_meta (singleton, log_id, genesis_hash, created_at, hash_format)
                    VALUES (1, ?, ?, ?, ?)
                    """,
                arguments: [logID, ChainHash.genesis(logID: logID).hex, clock.now().rfc3339, hashFormat])
        }
        // Everything into the main file, so publishing that one file publishes the whole log.
        try dbQueue.writeWithoutTransaction { db in _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try dbQueue.close()
        let descriptor = Foundation.open(path, O_RDONLY)
        if descriptor >= 0 {
            fsync(descriptor)
            close(descriptor)
        }
    }

    /// Makes a new directory entry durable (power loss after `link` must not lose the name).
    private static func syncDirectory(_ directory: String) {
        let descriptor = Foundation.open(directory, O_RDONLY)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    /// Opens an existing log, refusing anything that is not one, and applies migrations this build knows.
    public static func open(
        at path: String, options: Options = Options(), clock: any AuditClock = SystemClock(),
        logger: Logger = Logger(label: "audit.log")
    ) throws(AuditLogError) -> SQLiteEventStore {
        try checkFile(path)
        do {
            let dbQueue = try DatabaseQueue(path: path, configuration: configuration(options, expectLog: true))
            return try open(dbQueue: dbQueue, path: path, clock: clock, logger: logger)
        } catch {
            throw Self.describe(error, path: path)
        }
    }

    /// Opens an existing log for reading only: nothing is migrated or written, so an archived copy on read-only
    /// media, or in a folder the auditor cannot write, opens too.
    ///
    /// A WAL log needs its `-shm` side file, which SQLite cannot create in such a folder. When there is no
    /// `-wal` file with content beside the log (no writer has it open, every commit is in the main file), the
    /// log is then opened as immutable, which needs no side file; a `-wal` with content is never skipped.
    public static func openReadOnly(
        at path: String, options: Options = Options(), clock: any AuditClock = SystemClock(),
        logger: Logger = Logger(label: "audit.log")
    ) throws(AuditLogError) -> SQLiteEventStore {
        try checkFile(path)
        var configuration = configuration(options, expectLog: true)
        configuration.readonly = true
        do {
            do {
                let dbQueue = try DatabaseQueue(path: path, configuration: configuration)
                return try open(dbQueue: dbQueue, path: path, clock: clock, logger: logger, migrating: false)
            } catch let error as DatabaseError where needsSideFiles(error) {
                guard !hasWALContent(path) else {
                    throw AuditLogError.database(
                        "\(path): its -wal file holds commits not yet in the log file, which SQLite cannot read "
                            + "where it cannot write the -shm file; copy the log with its -wal to a writable folder")
                }
                logger.debug("opening as immutable", metadata: ["path": "\(path)", "reason": "\(error.resultCode)"])
                let dbQueue = try DatabaseQueue(path: immutableURI(path), configuration: configuration)
                return try open(dbQueue: dbQueue, path: path, clock: clock, logger: logger, migrating: false)
            }
        } catch {
            throw Self.describe(error, path: path)
        }
    }

    /// SQLite could not create or lock the WAL side files of a log opened read-only.
    private static func needsSideFiles(_ error: DatabaseError) -> Bool {
        error.resultCode.primaryResultCode == .SQLITE_READONLY || error.resultCode.primaryResultCode == .SQLITE_CANTOPEN
    }

    /// A `-wal` file that holds frames may hold commits not yet in the main file: an immutable open would miss them.
    private static func hasWALContent(_ path: String) -> Bool {
        var info = stat()
        return stat(path + "-wal", &info) == 0 && info.st_size > 0
    }

    /// `file:` URI of `path` with `immutable=1`; `%`, `?` and `#` are escaped so the path stays the path.
    static func immutableURI(_ path: String) -> String {
        let escaped = path.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "?", with: "%3f")
            .replacingOccurrences(of: "#", with: "%23")
        return "file:\(escaped)?immutable=1"
    }

    /// Refuses what cannot be a log before SQLite sees it, with a reason SQLite would not give.
    private static func checkFile(_ path: String) throws(AuditLogError) {
        if let loop = symbolicLinkLoop(path) { throw loop }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .noLog(path: path) }
        guard !isDirectory.boolValue else { throw .notAnAuditLog(path: path, reason: "it is a directory") }
        // SQLite takes an empty file for an empty database; say what it is rather than "another application's".
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG {
            throw .notAnAuditLog(path: path, reason: "it is not a regular file (a device, FIFO or socket)")
        }
        if stat(path, &info) == 0, info.st_size == 0 {
            throw .notAnAuditLog(path: path, reason: "it is empty (0 bytes); create a log with 'audit init'")
        }
    }

    /// True when the file system holding `path` has no block left for an unprivileged writer.
    static func isFull(_ path: String) -> Bool {
        var info = statvfs()
        let directory = (path as NSString).deletingLastPathComponent
        return statvfs(directory.isEmpty ? "." : directory, &info) == 0 && info.f_bavail == 0
    }

    /// A symbolic link that resolves to itself is neither a missing log nor one to create: say it is a loop.
    static func symbolicLinkLoop(_ path: String) -> AuditLogError? {
        var info = stat()
        guard stat(path, &info) != 0, errno == ELOOP else { return nil }
        return .notAnAuditLog(path: path, reason: "it is a loop of symbolic links (ELOOP); point it at a log file")
    }

    private static func open(
        dbQueue: DatabaseQueue, path: String, clock: any AuditClock, logger: Logger, migrating: Bool = true
    ) throws -> SQLiteEventStore {
        try dbQueue.read { db in
            guard try db.tableExists("grdb_migrations") else {
                throw AuditLogError.notAnAuditLog(path: path, reason: "it has no schema history")
            }
            if try Migrations.migrator.hasBeenSuperseded(db) {
                let applied = try String.fetchSet(db, sql: "SELECT identifier FROM grdb_migrations")
                let unknown = applied.subtracting(Migrations.identifiers).sorted()
                throw AuditLogError.newerSchema(path: path, migration: unknown.first ?? "?")
            }
        }
        // A reader leaves an older log as it is: a table a later migration adds is then missing, and says so.
        if migrating { try Migrations.migrator.migrate(dbQueue) }
        let meta = try dbQueue.read { db -> LogMeta in
            guard let row = try Row.fetchOne(db, sql: "SELECT log_id, genesis_hash FROM log_meta") else {
                throw AuditLogError.notAnAuditLog(path: path, reason: "it has no log_meta row")
            }
            return LogMeta(logID: row[0], genesis: try storedDigest(row[1], column: "log_meta.genesis_hash"))
        }
        return SQLiteEventStore(path: path, dbQueue: dbQueue, meta: meta, clock: clock, logger: logger)
    }

    private static func configuration(_ options: Options, expectLog: Bool) -> Configuration {
        var config = Configuration()
        config.busyMode = .timeout(options.busyTimeout)
        config.label = "audit"
        config.prepareDatabase { db in
            // Check identity before any statement that could write to a file that is not ours.
            if expectLog {
                let applicationID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                guard applicationID == SQLiteEventStore.applicationID else {
                    throw AuditLogError.notAnAuditLog(
                        path: db.configuration.label ?? "file",
                        reason: "it is an SQLite database of another application")
                }
            }
            try db.execute(sql: "PRAGMA synchronous = \(options.synchronous.rawValue)")
            try db.execute(sql: "PRAGMA cache_size = -\(options.cacheKiB)")
        }
        return config
    }

    static func describe(_ error: any Error, path: String) -> AuditLogError {
        switch error {
        case AuditLogError.notAnAuditLog(_, let reason): return .notAnAuditLog(path: path, reason: reason)
        case let error as AuditLogError: return error
        case let error as DatabaseError where error.resultCode == .SQLITE_NOTADB:
            return .notAnAuditLog(path: path, reason: "it is not an SQLite database")
        case let error as DatabaseError
        where [.SQLITE_IOERR, .SQLITE_FULL].contains(error.resultCode.primaryResultCode) && isFull(path):
            // SQLite says only "disk I/O error" when it cannot grow the log or make its side files.
            return .database("\(path): no space left on device")
        case let error as DatabaseError:
            return .database("\(path): \(error.message ?? "\(error.resultCode)")")
        default: return .database("\(path): \(error)")
        }
    }
}
