import AuditCrypto
import AuditLog
import AuditSyncProtocol
import Foundation
import Logging
import PostgresNIO

/// The collector's store on PostgreSQL (PostgresNIO): one transaction per chunk, holding the log's row.
///
/// `client.run()` must be running (the server adds the client to its services; tests run it in a task).
public struct PostgresCollectorStore: CollectorStore {
    public let client: PostgresClient
    let logger: Logger
    /// The folds of the sites each log's latest chunks touched, valid for the head they were folded to.
    let folds = SiteFoldCache()

    public init(url: DatabaseURL, logger: Logger) {
        client = PostgresClient(configuration: url.configuration, backgroundLogger: logger)
        self.logger = logger
    }

    /// Applies the migrations not yet applied, in order, under an advisory lock; refuses a changed one.
    public func migrate() async throws(SyncError) {
        try await run(deadline: nil) { () async throws -> Void in
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(7380)", logger: logger)
                try await connection.query(
                    """
                    CREATE TABLE IF NOT EXISTS collector_migration (
                        name TEXT PRIMARY KEY, sha256 TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                    """, logger: logger)
                var applied: [String: String] = [:]
                for try await (name, digest) in try await connection.query(
                    "SELECT name, sha256 FROM collector_migration", logger: logger
                ).decode((String, String).self) {
                    applied[name] = digest
                }
                for file in CollectorMigrations.files {
                    let digest = CollectorMigrations.digest(file.contents)
                    if let stored = applied[file.name] {
                        guard stored == digest else {
                            throw SyncError.storage("migration \(file.name) changed after it was applied (frozen)")
                        }
                        continue
                    }
                    for statement in CollectorMigrations.statements(file.contents) {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.query(
                        "INSERT INTO collector_migration (name, sha256) VALUES (\(file.name), \(digest))",
                        logger: logger)
                }
            }
        }
    }

    public func enroll(name: String, publicKey: Ed25519PublicKey) async throws(SyncError) {
        let key = Hex.encode(publicKey.rawRepresentation)
        try await run { () async throws -> Void in
            let rows = try await client.query(
                """
                INSERT INTO installer (name, public_key) VALUES (\(name), \(key)) ON CONFLICT DO NOTHING RETURNING 1
                """, logger: logger)
            var inserted = false
            for try await _ in rows { inserted = true }
            guard inserted else { throw SyncError.conflict("installer '\(name)' or this key is already enrolled") }
        }
    }

    public func revoke(name: String) async throws(SyncError) {
        try await run { () async throws -> Void in
            let rows = try await client.query(
                "UPDATE installer SET revoked_at = COALESCE(revoked_at, now()) WHERE name = \(name) RETURNING 1",
                logger: logger)
            var found = false
            for try await _ in rows { found = true }
            guard found else { throw SyncError.unknownLog("installer \(name)") }
        }
    }

    public func installer(named name: String) async throws(SyncError) -> InstallerRecord? {
        try await run { () async throws -> InstallerRecord? in
            for try await (key, revoked) in try await client.query(
                "SELECT public_key, revoked_at IS NOT NULL FROM installer WHERE name = \(name)", logger: logger
            ).decode((String, Bool).self) {
                guard let raw = Hex.decode(key) else { throw SyncError.storage("installer.public_key is not hex") }
                return InstallerRecord(
                    name: name, publicKey: try Ed25519PublicKey(rawRepresentation: raw), revoked: revoked)
            }
            return nil
        }
    }

    public func useNonce(installer: String, nonce: String, now: Int64) async throws(SyncError) -> Bool {
        let horizon = Double(now - 2 * RequestSignature.window)
        return try await run { () async throws -> Bool in
            try await client.query(
                "DELETE FROM request_nonce WHERE seen_at < to_timestamp(\(horizon))", logger: logger)
            var fresh = false
            for try await _ in try await client.query(
                """
                INSERT INTO request_nonce (installer, nonce, seen_at) VALUES (\(installer), \(nonce), now())
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger: logger)
            {
                fresh = true
            }
            return fresh
        }
    }

    public func state(logID: String) async throws(SyncError) -> LogState? {
        try await run { () async throws -> LogState? in
            try await client.withConnection { connection in try await Self.state(logID, connection, logger, lock: false)
            }
        }
    }

    static func state(_ logID: String, _ connection: PostgresConnection, _ logger: Logger, lock: Bool) async throws
        -> LogState?
    {
        let rows = try await connection.query(
            """
            SELECT installer, size, head, witnessed_size, fork_detected_at IS NOT NULL FROM log
            WHERE log_id = \(logID) \(unescaped: lock ? "FOR UPDATE" : "")
            """, logger: logger)
        for try await (installer, size, head, witnessed, forked) in rows.decode(
            (String, Int64, String, Int64, Bool).self)
        {
            guard let digest = Digest(hex: head) else { throw SyncError.storage("log.head is not hex") }
            return LogState(
                logID: logID, installer: installer, size: size, head: digest, witnessedSize: witnessed, forked: forked)
        }
        return nil
    }

    enum Stored: Sendable {
        case appended(AppendOutcome)
        case forked(Int64)
    }

    public func append(logID: String, installer: String, chunk: [LoggedEvent]) async throws(SyncError)
        -> AppendOutcome
    {
        let logger = self.logger
        // The work that needs only the chunk is done before the transaction takes the log's row: the next chunk
        // of a pipelined sync waits on that lock, so what is done under it is what PostgreSQL waits for. A failed
        // check is kept and thrown at the point of the transaction where it was always found.
        let checkFailure: SyncError?
        do throws(SyncError) {
            try Ingest.check(logID: logID, chunk: chunk)
            checkFailure = nil
        } catch { checkFailure = error }
        let prepared = checkFailure == nil ? Self.prepare(chunk, logID: logID) : nil
        let stored = try await run { () async throws -> Stored in
            try await client.withTransaction(logger: logger) { connection -> Stored in
                let genesis = ChainHash.genesis(logID: logID).hex
                var created = false
                for try await _ in try await connection.query(
                    """
                    INSERT INTO log (log_id, installer, head) VALUES (\(logID), \(installer), \(genesis))
                    ON CONFLICT DO NOTHING RETURNING 1
                    """, logger: logger)
                {
                    created = true
                }
                guard let locked = try await Self.lockedState(logID, connection, logger) else {
                    throw SyncError.storage("log \(logID) vanished inside its transaction")
                }
                let (state, storedRange) = locked
                guard state.installer == installer else {
                    throw SyncError.forbidden("log \(logID) is synced by installer '\(state.installer)'")
                }
                var hashes: [Int64: Digest] = [:]
                if let range = Ingest.overlap(chunk, heldSize: state.size) {
                    for try await (seq, hash) in try await connection.query(
                        """
                        SELECT seq, hash FROM event WHERE log_id = \(logID)
                        AND seq BETWEEN \(range.lowerBound) AND \(range.upperBound)
                        """, logger: logger
                    ).decode((Int64, String).self) {
                        hashes[seq] = Digest(hex: hash)
                    }
                }
                if let checkFailure { throw checkFailure }
                let plan = try Ingest.plan(
                    logID: logID, held: created ? nil : state, chunk: chunk, heldHashes: hashes, checked: true)
                switch plan {
                case .fork(let rows):
                    for row in rows {
                        var text: [UInt8] = []
                        SyncEvent.json(row.offered).writeCanonical(into: &text)
                        let offered = String(decoding: text, as: UTF8.self)
                        try await connection.query(
                            """
                            INSERT INTO fork_evidence (log_id, seq, held_hash, offered_hash, offered_row, installer)
                            VALUES (\(logID), \(row.offered.seq), \(row.heldHash.hex), \(row.offered.hash.hex),
                                    \(offered), \(installer))
                            """, logger: logger)
                    }
                    try await connection.query(
                        "UPDATE log SET fork_detected_at = COALESCE(fork_detected_at, now()) WHERE log_id = \(logID)",
                        logger: logger)
                    return .forked(rows[0].offered.seq)
                case .append(let new):
                    guard let last = new.last else { return .appended(AppendOutcome(appended: 0, size: state.size)) }
                    // What the folds and the compact range need is read first; then PostgreSQL stores the rows
                    // while this process folds the touched sites and extends the range, instead of one waiting
                    // for the other.
                    let stored = created ? nil : storedRange
                    // Each touched site continues from its fold as of the log's head when this process kept it
                    // (the head is checked under the row lock), else from its held events (one query for them
                    // all); the chunk's rows are in hand and never read back.
                    let sites = Set(new.map(\.site)).sorted()
                    var running = folds.take(logID: logID, size: state.size, head: state.head)
                    let missing = sites.filter { running[$0] == nil }
                    for site in missing { running[site] = RunningSite(site: site) }
                    if !created && !missing.isEmpty {
                        for event in try await Self.events(
                            logID: logID, sites: missing, before: new[0].seq, connection, logger)
                        {
                            running[event.site]?.apply(event)
                        }
                    }
                    let whole = new.count == chunk.count
                    let text = whole ? prepared?.copyText : Self.copyText(new, logID: logID)
                    async let inserted: Void = Self.insert(new, text: text, logID: logID, connection, logger)
                    let leaves = prepared.map { Array($0.leaves.suffix(new.count)) } ?? Self.leaves(new)
                    let range = try Self.extendedRange(stored, size: state.size, leaves: leaves, created: created)
                    // By index: a loop's copy of an event retained each of its texts.
                    for index in new.indices { running[new[index].site]?.apply(new[index]) }
                    let rows = sites.compactMap { running[$0]?.row(logID: logID, installer: installer) }
                    try await inserted
                    try await connection.query(
                        """
                        UPDATE log SET size = \(last.seq), head = \(last.hash.hex), last_synced_at = now(),
                            merkle_range = \(range)
                        WHERE log_id = \(logID)
                        """, logger: logger)
                    for row in rows { try await Self.upsert(row, connection, logger) }
                    // Kept before the commit: the entry names the head it was folded to, and a chunk that finds
                    // another head in PostgreSQL (this one rolled back) drops it.
                    folds.keep(logID: logID, size: last.seq, head: last.hash, sites: running, touched: sites)
                    return .appended(AppendOutcome(appended: new.count, size: last.seq))
                }
            }
        }
        switch stored {
        case .appended(let outcome): return outcome
        case .forked(let seq): throw .fork(seq: seq)
        }
    }

    /// The log's stored compact range extended by `new`, as stored (hex nodes concatenated); nil stays nil: a log
    /// synced before migration 0002 has no range, and its checkpoints are checked from the leaves.
    static func extendedRange(_ stored: String?, size: Int64, leaves: [Digest], created: Bool) throws -> String? {
        guard var range = created ? MerkleTree.CompactRange() : try stored.map({ try decodeRange($0, size: size) })
        else { return nil }
        for leaf in leaves { range.append(leafHash: leaf) }
        return range.nodes.map(\.hex).joined()
    }

    /// What a checked chunk's storing needs from it alone: its rows in COPY's text form and its Merkle leaves.
    struct Prepared: Sendable {
        var copyText: ByteBuffer?
        var leaves: [Digest]
    }

    static func prepare(_ chunk: [LoggedEvent], logID: String) -> Prepared {
        Prepared(copyText: copyText(chunk, logID: logID), leaves: leaves(chunk))
    }

    static func leaves(_ events: [LoggedEvent]) -> [Digest] {
        let hasher = SHA256Hasher()
        return events.indices.map { MerkleTree.leafHash(of: events[$0].hash, using: hasher) }
    }

    /// The log's state, its row locked FOR UPDATE, and its stored compact range (hex; nil for a log synced before
    /// migration 0002): one round trip, since every one under the lock is one the next chunk waits for.
    static func lockedState(_ logID: String, _ connection: PostgresConnection, _ logger: Logger) async throws
        -> (LogState, String?)?
    {
        let rows = try await connection.query(
            """
            SELECT installer, size, head, witnessed_size, fork_detected_at IS NOT NULL, merkle_range FROM log
            WHERE log_id = \(logID) FOR UPDATE
            """, logger: logger)
        for try await (installer, size, head, witnessed, forked, range) in rows.decode(
            (String, Int64, String, Int64, Bool, String?).self)
        {
            guard let digest = Digest(hex: head) else { throw SyncError.storage("log.head is not hex") }
            let state = LogState(
                logID: logID, installer: installer, size: size, head: digest, witnessedSize: witnessed, forked: forked)
            return (state, range)
        }
        return nil
    }

    static func decodeRange(_ text: String, size: Int64) throws -> MerkleTree.CompactRange {
        let bytes = Array(text.utf8)
        guard bytes.count % 64 == 0 else { throw SyncError.storage("log.merkle_range is not whole hashes") }
        let nodes = stride(from: 0, to: bytes.count, by: 64).compactMap { Digest(hexBytes: bytes[$0..<$0 + 64]) }
        guard nodes.count == bytes.count / 64, let range = MerkleTree.CompactRange(size: size, nodes: nodes) else {
            throw SyncError.storage("log.merkle_range is not the compact range of \(size) events")
        }
        return range
    }

    public func compactRange(logID: String) async throws(SyncError) -> MerkleTree.CompactRange? {
        try await run { () async throws -> MerkleTree.CompactRange? in
            for try await (size, text) in try await client.query(
                "SELECT size, merkle_range FROM log WHERE log_id = \(logID)", logger: logger
            ).decode((Int64, String?).self) {
                return try text.map { try Self.decodeRange($0, size: size) }
            }
            return nil
        }
    }

    /// The chunk's rows through `COPY event FROM STDIN` (text format), in the chunk's transaction: PostgreSQL's
    /// own bulk path, the one the benchmark's baseline uses, and one write of the rows instead of twelve arrays.
    /// A row holding a NUL byte, which COPY's text format cannot carry, goes through `insertRows` and is refused
    /// there as before.
    static func insert(
        _ events: [LoggedEvent], text: ByteBuffer?, logID: String, _ connection: PostgresConnection, _ logger: Logger
    ) async throws {
        guard let text else {
            return try await insertRows(events, logID: logID, connection, logger)
        }
        try await connection.copyFrom(
            table: "event",
            columns: [
                "log_id", "seq", "event_id", "site", "stack", "type", "payload", "observed_at", "recorded_at", "actor",
                "prev_hash", "hash",
            ], logger: logger
        ) { writer in
            try await writer.write(text)
        }
    }

    /// The rows in COPY's text format (tab between columns, `\N` for NULL, backslash escapes); nil when a value
    /// holds a NUL byte.
    static func copyText(_ events: [LoggedEvent], logID: String) -> ByteBuffer? {
        var out: [UInt8] = []
        out.reserveCapacity(events.count * 560)
        // Written field by field (no array of optional strings per row), each event read in place by index (a
        // loop's copy retained each of its texts); times and hex are written as bytes and never need escaping.
        for index in events.indices {
            guard appendCopyField(logID, into: &out) else { return nil }
            out.append(0x09)
            out.append(contentsOf: String(events[index].seq).utf8)
            guard copyField(events[index].eventID, into: &out), copyField(events[index].site, into: &out) else {
                return nil
            }
            if let stack = events[index].stack {
                guard copyField(stack, into: &out) else { return nil }
            } else {
                out.append(contentsOf: "\t\\N".utf8)
            }
            guard copyField(events[index].type, into: &out), copyField(events[index].payload, into: &out) else {
                return nil
            }
            out.append(0x09)
            events[index].observedAt.appendRFC3339(to: &out)
            out.append(0x09)
            events[index].recordedAt.appendRFC3339(to: &out)
            guard copyField(events[index].actor, into: &out) else { return nil }
            out.append(0x09)
            events[index].prevHash.appendHex(to: &out)
            out.append(0x09)
            events[index].hash.appendHex(to: &out)
            out.append(0x0A)
        }
        return ByteBuffer(bytes: out)
    }

    /// Appends a tab, then the value escaped; false when it holds a NUL byte.
    static func copyField(_ text: String, into out: inout [UInt8]) -> Bool {
        out.append(0x09)
        return appendCopyField(text, into: &out)
    }

    /// Appends one value escaped for COPY's text format; false when it holds a NUL byte.
    static func appendCopyField(_ text: String, into out: inout [UInt8]) -> Bool {
        var text = text
        // Most values hold no byte to escape: copied whole.
        let plain = text.withUTF8 { bytes in
            guard !bytes.contains(where: { $0 == 0x5C || $0 < 0x0E && (1 << Int($0)) & 0x2601 != 0 }) else {
                return false
            }
            out.append(contentsOf: bytes)
            return true
        }
        if plain { return true }
        for byte in text.utf8 {
            switch byte {
            case 0x00: return false
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            default: out.append(byte)
            }
        }
        return true
    }

    /// One INSERT of the whole chunk from arrays: one round trip, whatever the chunk's size.
    static func insertRows(_ events: [LoggedEvent], logID: String, _ connection: PostgresConnection, _ logger: Logger)
        async throws
    {
        let seqs = events.map(\.seq)
        let ids = events.map(\.eventID)
        let sites = events.map(\.site)
        let stacks = events.map { $0.stack ?? "" }
        let noStack = events.map { $0.stack == nil }
        let types = events.map(\.type)
        let payloads = events.map(\.payload)
        let observed = events.map(\.observedAt.rfc3339)
        let recorded = events.map(\.recordedAt.rfc3339)
        let actors = events.map(\.actor)
        let previous = events.map(\.prevHash.hex)
        let hashes = events.map(\.hash.hex)
        try await connection.query(
            """
            INSERT INTO event (log_id, seq, event_id, site, stack, type, payload, observed_at, recorded_at, actor,
                               prev_hash, hash)
            SELECT \(logID), s, e, si, CASE WHEN ns THEN NULL ELSE st END, ty, p, o, r, a, ph, h
            FROM unnest(\(seqs)::bigint[], \(ids)::text[], \(sites)::text[], \(stacks)::text[], \(noStack)::bool[],
                        \(types)::text[], \(payloads)::text[], \(observed)::text[], \(recorded)::text[],
                        \(actors)::text[], \(previous)::text[], \(hashes)::text[])
                AS u(s, e, si, st, ns, ty, p, o, r, a, ph, h)
            """, logger: logger)
    }

    static func upsert(_ row: FleetSite, _ connection: PostgresConnection, _ logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO site (log_id, site, installer, verdict, failing, firmware, dip_original, dip_final, simulation,
                              late_entries, event_count, last_seq, first_at, last_at)
            VALUES (\(row.logID), \(row.site), \(row.installer), \(row.verdict), \(row.failing)::text[],
                    \(row.firmware)::text[], \(row.dipOriginal), \(row.dipFinal), \(row.simulation),
                    \(row.lateEntries), \(row.eventCount), \(row.lastSeq), \(row.firstAt), \(row.lastAt))
            ON CONFLICT (log_id, site) DO UPDATE SET installer = excluded.installer, verdict = excluded.verdict,
                failing = excluded.failing, firmware = excluded.firmware, dip_original = excluded.dip_original,
                dip_final = excluded.dip_final, simulation = excluded.simulation,
                late_entries = excluded.late_entries, event_count = excluded.event_count,
                last_seq = excluded.last_seq, first_at = excluded.first_at, last_at = excluded.last_at
            """, logger: logger)
    }

    static func events(logID: String, site: String, _ connection: PostgresConnection, _ logger: Logger) async throws
        -> [LoggedEvent]
    {
        try await decode(
            try await connection.query(
                """
                SELECT seq, event_id, site, stack, type, payload, observed_at, recorded_at, actor, prev_hash, hash
                FROM event WHERE log_id = \(logID) AND site = \(site) ORDER BY seq
                """, logger: logger))
    }

    /// The held events of `sites` before seq `before`, in seq order: what a chunk's sites were before it.
    static func events(
        logID: String, sites: [String], before: Int64, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> [LoggedEvent] {
        try await decode(
            try await connection.query(
                """
                SELECT seq, event_id, site, stack, type, payload, observed_at, recorded_at, actor, prev_hash, hash
                FROM event WHERE log_id = \(logID) AND site = ANY(\(sites)::text[]) AND seq < \(before) ORDER BY seq
                """, logger: logger))
    }

    static func decode(_ rows: PostgresRowSequence) async throws -> [LoggedEvent] {
        var events: [LoggedEvent] = []
        for try await row in rows {
            let cells = row.makeRandomAccess()
            let seq = try cells[0].decode(Int64.self)
            func time(_ index: Int) throws -> Timestamp {
                guard let value = Timestamp(rfc3339: try cells[index].decode(String.self)) else {
                    throw SyncError.storage("event \(seq) holds a time that does not parse")
                }
                return value
            }
            func digest(_ index: Int) throws -> Digest {
                guard let value = Digest(hex: try cells[index].decode(String.self)) else {
                    throw SyncError.storage("event \(seq) holds a hash that is not hex")
                }
                return value
            }
            events.append(
                LoggedEvent(
                    seq: seq, eventID: try cells[1].decode(String.self), site: try cells[2].decode(String.self),
                    stack: try cells[3].decode(String?.self), type: try cells[4].decode(String.self),
                    payload: try cells[5].decode(String.self), observedAt: try time(6), recordedAt: try time(7),
                    actor: try cells[8].decode(String.self), prevHash: try digest(9), hash: try digest(10)))
        }
        return events
    }

    public func leafHashes(logID: String, size: Int64) async throws(SyncError) -> [Digest] {
        // Every leaf of the log: far more rows than any other call reads.
        return try await run(deadline: .seconds(60)) { () async throws -> [Digest] in
            let hasher = SHA256Hasher()
            var leaves: [Digest] = []
            leaves.reserveCapacity(Int(size))
            for try await hash in try await client.query(
                "SELECT hash FROM event WHERE log_id = \(logID) AND seq <= \(size) ORDER BY seq", logger: logger
            ).decode(String.self) {
                guard let digest = Digest(hex: hash) else { throw SyncError.storage("event.hash is not hex") }
                leaves.append(MerkleTree.leafHash(of: digest, using: hasher))
            }
            return leaves
        }
    }

    public func recordCheckpoint(
        logID: String, size: Int64, root: Digest, note: String, cosignature: String
    ) async throws(SyncError) -> String {
        let logger = self.logger
        return try await run { () async throws -> String in
            try await client.withTransaction(logger: logger) { connection -> String in
                guard let state = try await Self.state(logID, connection, logger, lock: true) else {
                    throw SyncError.unknownLog(logID)
                }
                for try await stored in try await connection.query(
                    "SELECT cosignature FROM checkpoint WHERE log_id = \(logID) AND size = \(size) AND root = \(root.hex)",
                    logger: logger
                ).decode(String.self) {
                    return stored
                }
                guard size >= state.witnessedSize else {
                    throw SyncError.conflict(
                        "the collector already accepted a checkpoint of size \(state.witnessedSize)")
                }
                try await connection.query(
                    """
                    INSERT INTO checkpoint (log_id, size, root, note, cosignature)
                    VALUES (\(logID), \(size), \(root.hex), \(note), \(cosignature))
                    """, logger: logger)
                try await connection.query(
                    "UPDATE log SET witnessed_size = \(size) WHERE log_id = \(logID)", logger: logger)
                return cosignature
            }
        }
    }

    public func latestCheckpoint(logID: String) async throws(SyncError) -> StoredCheckpoint? {
        try await run { () async throws -> StoredCheckpoint? in
            for try await (size, root, note, head) in try await client.query(
                """
                SELECT c.size, c.root, c.note, e.hash FROM checkpoint c
                LEFT JOIN event e ON e.log_id = c.log_id COLLATE "C" AND e.seq = c.size
                WHERE c.log_id = \(logID) ORDER BY c.size DESC LIMIT 1
                """, logger: logger
            ).decode((Int64, String, String, String?).self) {
                guard let root = Digest(hex: root) else { throw SyncError.storage("checkpoint.root is not hex") }
                guard let head = size == 0 ? ChainHash.genesis(logID: logID) : head.flatMap({ Digest(hex: $0) }) else {
                    throw SyncError.storage("event \(size) of log \(logID) is missing or not hex")
                }
                return StoredCheckpoint(size: size, root: root, head: head, note: note)
            }
            return nil
        }
    }

    public func logs() async throws(SyncError) -> [LogSummary] {
        try await run { () async throws -> [LogSummary] in
            var logs: [LogSummary] = []
            let rows = try await client.query(
                """
                SELECT l.log_id, l.installer, l.size, l.head, l.witnessed_size, l.fork_detected_at IS NOT NULL,
                       (SELECT count(*) FROM site s WHERE s.log_id = l.log_id), c.size, c.note
                FROM log l LEFT JOIN LATERAL (
                    SELECT size, note FROM checkpoint WHERE log_id = l.log_id ORDER BY size DESC LIMIT 1) c ON true
                ORDER BY l.log_id
                """, logger: logger)
            for try await (logID, installer, size, head, witnessed, forked, sites, checkpointSize, note) in rows.decode(
                (String, String, Int64, String, Int64, Bool, Int64, Int64?, String?).self)
            {
                guard let digest = Digest(hex: head) else { throw SyncError.storage("log.head is not hex") }
                logs.append(
                    LogSummary(
                        state: LogState(
                            logID: logID, installer: installer, size: size, head: digest, witnessedSize: witnessed,
                            forked: forked),
                        checkpointNote: note, checkpointSize: checkpointSize, sites: Int(sites)))
            }
            return logs
        }
    }

    public func sites(_ query: SiteQuery) async throws(SyncError) -> [FleetSite] {
        try await run { () async throws -> [FleetSite] in
            var sites: [FleetSite] = []
            let rows = try await client.query(
                """
                SELECT s.log_id, s.site, s.installer, s.verdict, s.failing, s.firmware, s.dip_original, s.dip_final,
                       s.simulation, s.late_entries, s.event_count, s.last_seq, s.first_at, s.last_at,
                       s.last_seq <= l.witnessed_size, l.fork_detected_at IS NOT NULL
                FROM site s JOIN log l ON l.log_id = s.log_id
                WHERE (\(query.failing)::text IS NULL OR s.failing @> ARRAY[\(query.failing)::text])
                  AND (\(query.verdict)::text IS NULL OR s.verdict = \(query.verdict))
                  AND (\(query.installer)::text IS NULL OR s.installer = \(query.installer))
                  AND (\(query.firmware)::text IS NULL OR s.firmware @> ARRAY[\(query.firmware)::text])
                  AND (\(query.witnessed)::bool IS NULL OR (s.last_seq <= l.witnessed_size) = \(query.witnessed))
                  AND (\(query.forked)::bool IS NULL OR (l.fork_detected_at IS NOT NULL) = \(query.forked))
                  AND (\(query.simulation)::bool IS NULL OR s.simulation = \(query.simulation))
                  AND (\(query.since)::text IS NULL OR s.last_at >= \(query.since))
                  AND (\(query.until)::text IS NULL OR s.last_at < \(query.until))
                  AND (\(query.site)::text IS NULL OR s.site COLLATE "C" = \(query.site))
                ORDER BY s.site COLLATE "C", s.log_id LIMIT \(query.limit) OFFSET \(query.offset)
                """, logger: logger)
            for try await row in rows {
                let cells = row.makeRandomAccess()
                sites.append(
                    FleetSite(
                        logID: try cells[0].decode(String.self), site: try cells[1].decode(String.self),
                        installer: try cells[2].decode(String.self), verdict: try cells[3].decode(String.self),
                        failing: try cells[4].decode([String].self), firmware: try cells[5].decode([String].self),
                        dipOriginal: try cells[6].decode(String?.self), dipFinal: try cells[7].decode(String?.self),
                        simulation: try cells[8].decode(Bool.self), lateEntries: Int(try cells[9].decode(Int32.self)),
                        eventCount: Int(try cells[10].decode(Int32.self)), lastSeq: try cells[11].decode(Int64.self),
                        firstAt: try cells[12].decode(String.self), lastAt: try cells[13].decode(String.self),
                        witnessed: try cells[14].decode(Bool.self), forked: try cells[15].decode(Bool.self)))
            }
            return sites
        }
    }

    public func events(logID: String, site: String) async throws(SyncError) -> [LoggedEvent] {
        let logger = self.logger
        return try await run { () async throws -> [LoggedEvent] in
            try await client.withConnection { connection in
                try await Self.events(logID: logID, site: site, connection, logger)
            }
        }
    }

    public func forkEvidence(logID: String) async throws(SyncError) -> [(seq: Int64, held: String, offered: String)] {
        try await run { () async throws -> [(seq: Int64, held: String, offered: String)] in
            var rows: [(seq: Int64, held: String, offered: String)] = []
            for try await (seq, held, offered) in try await client.query(
                "SELECT seq, held_hash, offered_hash FROM fork_evidence WHERE log_id = \(logID) ORDER BY id",
                logger: logger
            ).decode((Int64, String, String).self) {
                rows.append((seq, held, offered))
            }
            return rows
        }
    }

    /// How long one store call may take before its request is answered 503, which `audit sync` retries: a query
    /// caught on a connection PostgreSQL dropped in a restart can be left waiting by PostgresNIO, never failed.
    public static let deadline: Duration = .seconds(10)

    /// Maps PostgreSQL's errors to 503 (the client retries), keeping our own refusals as they are; a call past
    /// `deadline` is 503 too, and is left to finish or not on its own (every write is idempotent).
    func run<T: Sendable>(
        deadline: Duration? = Self.deadline, _ body: @escaping @Sendable () async throws -> T
    ) async throws(SyncError) -> T {
        let outcome: Result<T, any Error>
        if let deadline {
            guard let finished = await Deadline.run(deadline, body) else {
                logger.warning("a store call outlived its deadline", metadata: ["deadline": "\(deadline)"])
                throw .storage("PostgreSQL did not answer within \(deadline)")
            }
            outcome = finished
        } else {
            do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
        }
        switch outcome {
        case .success(let value): return value
        case .failure(let error as SyncError): throw error
        case .failure(let error as PostgresTransactionError):
            if let inner = error.closureError as? SyncError { throw inner }
            throw .storage(Self.oneLine(error))
        case .failure(let error): throw .storage(Self.oneLine(error))
        }
    }

    static func oneLine(_ error: any Error) -> String {
        String(reflecting: error).prefix(300).split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}

/// Runs a body against a deadline without waiting for it past the deadline: a future that is never completed
/// ignores cancellation, so a task group would wait on it forever.
enum Deadline {
    /// The body's outcome, or nil once `limit` has passed first.
    static func run<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async -> Result<
        T, any Error
    >? {
        await withCheckedContinuation { continuation in
            let gate = Gate(continuation)
            let work = Task {
                let outcome: Result<T, any Error>
                do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
                gate.open(outcome)
            }
            Task {
                do { try await Task.sleep(for: limit) } catch { return }
                if gate.open(nil) { work.cancel() }
            }
        }
    }

    /// Resumes its continuation once, with whichever value comes first.
    final class Gate<Value: Sendable>: @unchecked Sendable {
        // Guarded by `lock`; nil once resumed.
        private let lock = NSLock()
        private var continuation: CheckedContinuation<Value, Never>?

        init(_ continuation: CheckedContinuation<Value, Never>) { self.continuation = continuation }

        /// True when this value was the first.
        @discardableResult
        func open(_ value: Value) -> Bool {
            let waiting: CheckedContinuation<Value, Never>? = lock.withLock {
                defer { continuation = nil }
                return continuation
            }
            waiting?.resume(returning: value)
            return waiting != nil
        }
    }
}
