import AuditCrypto
import Dispatch
import Foundation
import GRDB
import GRDBSQLite

/// Rows staged for the second core: each message is independent once its stored prev_hash is checked, so its
/// form, its key digests and its hash are worked out there while this core reads SQLite.
final class StagedRows: @unchecked Sendable {
    var firstSeq: Int64 = 0
    /// The prev hash of the batch's first row, verified by the batch before it.
    var firstPrev = Digest.zero
    var bytes: [UInt8] = []
    var ends: [Int] = []
    /// The stored `hash` text of each row, 64 bytes apiece.
    var storedHashes: [UInt8] = []
    /// Index of the first row whose message does not hash to its stored hash, or breaks its form.
    var firstMismatch: Int?
    /// Whether to sum `keys` (for the integrity check).
    var collectingKeys = false
    /// The digests of this batch's rows' event ids and sites.
    var keys = TableKeys()

    static let capacity = 4096

    func reset(firstSeq: Int64, firstPrev: Digest) {
        self.firstSeq = firstSeq
        self.firstPrev = firstPrev
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        storedHashes.removeAll(keepingCapacity: true)
        firstMismatch = nil
        keys = TableKeys()
    }

    /// Checks each staged row's form and hash, writing each message's prev hash first: the first row's is
    /// `firstPrev`, each later row's is the hash just computed for the row before it, which equals that row's
    /// stored hash or the batch stops there. The reading core thus never decodes a hash.
    func hashAll(with hasher: SHA256Hasher) {
        var start = 0
        // Locals, not properties, in the loop: each access to a class's stored property is checked at run time.
        let collectingKeys = collectingKeys
        let firstSeq = firstSeq
        var prev = firstPrev
        var keys = TableKeys()
        defer { self.keys = keys }
        bytes.withUnsafeMutableBufferPointer { all in
            storedHashes.withUnsafeBytes { stored in
                for (index, end) in ends.enumerated() {
                    prev.withUnsafeBytes {
                        UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: all[start..<start + 32]))
                            .copyMemory(from: $0)
                    }
                    let message = UnsafeBufferPointer(rebasing: all[start..<end])
                    start = end
                    guard let fields = RowForm.RowFields(message: message), RowForm.problem(fields) == nil else {
                        firstMismatch = index
                        return
                    }
                    if collectingKeys {
                        let seq = firstSeq + Int64(index)
                        keys.eventID.add(fields.eventID, seq: seq)
                        keys.site.add(fields.site, seq: seq)
                    }
                    hasher.update(UnsafeRawBufferPointer(message))
                    prev = hasher.finalize()
                    if !prev.matchesHex(UnsafeRawBufferPointer(rebasing: stored[index * 64..<index * 64 + 64])) {
                        firstMismatch = index
                        return
                    }
                }
            }
        }
    }
}

extension ChainWalker {
    enum FastResult {
        case intact(size: Int64, head: Digest, keys: TableKeys)
        /// Something is wrong at or after `seq`; the sequential walk from there names it.
        case suspect(seq: Int64, expectedPrev: Digest)
    }

    /// Checks links on this thread and hashes on another; stops at the first batch with any problem.
    /// With `collectingKeys`, also sums the digest of the indexed keys (for the integrity check; a checkpoint
    /// needs none).
    func walkPipelined(genesis: Digest, collectingKeys: Bool) throws -> FastResult {
        let statement = try db.makeStatement(sql: "SELECT \(EventRow.columns) FROM events ORDER BY seq")
        let sqlite = statement.sqliteStatement
        defer { sqlite3_reset(sqlite) }
        let queue = DispatchQueue(label: "audit.verify.hash")
        let hasher = SHA256Hasher()
        nonisolated(unsafe) let sharedHasher = hasher
        let batches = [StagedRows(), StagedRows()]
        var pending: [DispatchWorkItem?] = [nil, nil]
        var current = 0
        var expectedSeq: Int64 = 1
        // The verified start of each batch: where a sequential re-walk must begin if the batch fails.
        var batchStartPrev = [genesis, genesis]
        var lastHashText = [UInt8](genesis.hex.utf8)
        // Each message's first 32 bytes, its prev hash, are written by the hashing core (`hashAll`).
        let prevPlaceholder = [UInt8](repeating: 0, count: 32)
        var keys = TableKeys()

        func finish(_ index: Int) -> Bool {
            guard let item = pending[index] else { return batches[index].firstMismatch == nil }
            item.wait()
            pending[index] = nil
            keys.add(batches[index].keys)
            return batches[index].firstMismatch == nil
        }
        func submit(_ index: Int) {
            let batch = batches[index]
            let item = DispatchWorkItem { batch.hashAll(with: sharedHasher) }
            pending[index] = item
            queue.async(execute: item)
        }

        for batch in batches { batch.collectingKeys = collectingKeys }
        // Staged in locals and handed over whole: appending to a class's array property paid a dynamic
        // exclusivity check per append.
        var bytes: [UInt8] = []
        var ends: [Int] = []
        var storedHashes: [UInt8] = []
        bytes.reserveCapacity(StagedRows.capacity * 512)
        ends.reserveCapacity(StagedRows.capacity)
        storedHashes.reserveCapacity(StagedRows.capacity * 64)
        var firstSeq: Int64 = 1
        /// Gives the staged rows to a finished batch, taking its emptied buffers back, and starts its hashing.
        func hand(to index: Int) {
            let batch = batches[index]
            batch.reset(firstSeq: firstSeq, firstPrev: batchStartPrev[index])
            swap(&batch.bytes, &bytes)
            swap(&batch.ends, &ends)
            swap(&batch.storedHashes, &storedHashes)
            submit(index)
        }

        while try db.step(sqlite) {
            let seq = sqlite3_column_int64(sqlite, 0)
            // Rows before this one may also be bad: the earliest unfinished batch decides where to re-walk.
            func suspect() -> FastResult {
                let other = 1 - current
                if !finish(other) { return .suspect(seq: batches[other].firstSeq, expectedPrev: batchStartPrev[other]) }
                return .suspect(seq: firstSeq, expectedPrev: batchStartPrev[current])
            }
            // The form's content is checked with the hash, on the other core; only the column types are seen here.
            guard seq == expectedSeq, Self.column(sqlite, 9, equals: lastHashText),
                let hashText = sqlite3_column_text(sqlite, 10), sqlite3_column_bytes(sqlite, 10) == 64,
                RowForm.holdsText(sqlite)
            else { return suspect() }
            bytes.append(contentsOf: prevPlaceholder)
            withUnsafeBytes(of: UInt64(bitPattern: seq).bigEndian) { bytes.append(contentsOf: $0) }
            for column in Int32(1)...8 { Self.appendField(sqlite, column, to: &bytes) }
            ends.append(bytes.count)
            let hashBytes = UnsafeBufferPointer(start: hashText, count: 64)
            storedHashes.append(contentsOf: hashBytes)
            lastHashText.withUnsafeMutableBufferPointer { _ = $0.initialize(from: hashBytes) }
            expectedSeq += 1
            if ends.count == StagedRows.capacity {
                hand(to: current)
                current = 1 - current
                if !finish(current) {
                    return .suspect(seq: batches[current].firstSeq, expectedPrev: batchStartPrev[current])
                }
                // Not hex: the batch just handed over holds that row, and its hash check fails there.
                guard let last = lastHashText.withUnsafeBytes({ Digest(hexBuffer: $0) }) else {
                    let handed = 1 - current
                    return .suspect(seq: batches[handed].firstSeq, expectedPrev: batchStartPrev[handed])
                }
                batchStartPrev[current] = last
                firstSeq = expectedSeq
            }
        }
        if !ends.isEmpty { hand(to: current) }
        for index in [1 - current, current] where !finish(index) {
            return .suspect(seq: batches[index].firstSeq, expectedPrev: batchStartPrev[index])
        }
        // Every stored hash matched a computed one, so the last is hex (for an empty log, the genesis value).
        guard let head = lastHashText.withUnsafeBytes({ Digest(hexBuffer: $0) }) else {
            return .suspect(seq: 1, expectedPrev: genesis)
        }
        return .intact(size: expectedSeq - 1, head: head, keys: keys)
    }

    static func column(_ statement: OpaquePointer, _ index: Int32, equals text: [UInt8]) -> Bool {
        guard sqlite3_column_type(statement, index) == SQLITE_TEXT, let value = sqlite3_column_text(statement, index),
            Int(sqlite3_column_bytes(statement, index)) == text.count
        else { return false }
        return text.withUnsafeBytes { memcmp($0.baseAddress!, value, text.count) == 0 }
    }
}

/// An order-free digest of (text, seq) pairs. The chain walk adds each row's event_id and site; a scan of each
/// index adds its entries; equal digests mean each index holds exactly the table's rows, which is what SQLite's
/// integrity check proves at several times the walk's cost (it probes the index once per row).
///
/// Our own mix rather than SHA-256: it guards against damage (a flipped bit, a lost entry), not an adversary, who
/// could rewrite the file anyway; the chain and its checkpoints are what stand against the adversary.
struct KeyDigest: Equatable {
    var low: UInt64 = 0
    var high: UInt64 = 0
    var count = 0

    mutating func add(_ text: UnsafePointer<UInt8>?, count length: Int32, seq: Int64) {
        add(text.map { UnsafeBufferPointer(start: $0, count: Int(length)) }, seq: seq)
    }

    mutating func add(_ text: UnsafeBufferPointer<UInt8>?, seq: Int64) {
        // The text eight bytes at a time (a multiply-xorshift step per word, the length folded in), then two
        // SplitMix64 finalisations with the seq, summed: the order of rows is lost. Words, not FNV's bytes: this
        // runs for two keys of every row on both sides of the comparison.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        if let text, let base = text.baseAddress {
            let raw = UnsafeRawPointer(base)
            var offset = 0
            while offset + 8 <= text.count {
                hash = Self.step(hash, raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                offset += 8
            }
            var tail: UInt64 = 0
            for index in offset..<text.count { tail |= UInt64(text[index]) << (8 * UInt64(index - offset)) }
            hash = Self.step(hash, tail ^ UInt64(text.count) << 56)
        }
        low &+= Self.mix(hash ^ UInt64(bitPattern: seq))
        high &+= Self.mix(hash &+ UInt64(bitPattern: seq) &* 0x9E37_79B9_7F4A_7C15 ^ 0x5851_F42D_4C95_7F2D)
        count += 1
    }

    /// Another set's rows added to these: sums commute, so batches summed apart add up to the whole.
    mutating func add(_ other: KeyDigest) {
        low &+= other.low
        high &+= other.high
        count += other.count
    }

    static func step(_ hash: UInt64, _ word: UInt64) -> UInt64 {
        let mixed = (hash ^ word) &* 0x9E37_79B9_7F4A_7C15
        return mixed ^ (mixed >> 29)
    }

    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The digests of the two indexed keys of `events`, as the table holds them.
struct TableKeys: Equatable {
    var eventID = KeyDigest()
    var site = KeyDigest()

    mutating func add(_ other: TableKeys) {
        eventID.add(other.eventID)
        site.add(other.site)
    }
}
