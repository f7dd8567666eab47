import AuditCrypto
import Dispatch
import Foundation
import GRDB
import GRDBSQLite

/// Rows staged for hashing: each message is independent once its stored prev_hash is checked, so hashing runs on a
/// second core while this one reads SQLite.
final class StagedRows: @unchecked Sendable {
    var firstSeq: Int64 = 0
    var bytes: [UInt8] = []
    var ends: [Int] = []
    /// The stored `hash` text of each row, 64 bytes apiece.
    var storedHashes: [UInt8] = []
    /// Index of the first row whose message does not hash to its stored hash.
    var firstMismatch: Int?

    static let capacity = 4096

    func reset(firstSeq: Int64) {
        self.firstSeq = firstSeq
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        storedHashes.removeAll(keepingCapacity: true)
        firstMismatch = nil
    }

    func hashAll(with hasher: SHA256Hasher) {
        var start = 0
        bytes.withUnsafeBytes { raw in
            storedHashes.withUnsafeBytes { stored in
                for (index, end) in ends.enumerated() {
                    hasher.update(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
                    let digest = hasher.finalize()
                    if !digest.matchesHex(UnsafeRawBufferPointer(rebasing: stored[index * 64..<index * 64 + 64])) {
                        firstMismatch = index
                        return
                    }
                    start = end
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
        var lastHash = genesis
        var keys = TableKeys()

        func finish(_ index: Int) -> Bool {
            pending[index]?.wait()
            pending[index] = nil
            return batches[index].firstMismatch == nil
        }
        func submit(_ index: Int) {
            let batch = batches[index]
            let item = DispatchWorkItem { batch.hashAll(with: sharedHasher) }
            pending[index] = item
            queue.async(execute: item)
        }

        batches[current].reset(firstSeq: 1)
        while try db.step(sqlite) {
            let batch = batches[current]
            let seq = sqlite3_column_int64(sqlite, 0)
            // Rows before this one may also be bad: the earliest unfinished batch decides where to re-walk.
            func suspect() -> FastResult {
                let other = 1 - current
                if !finish(other) { return .suspect(seq: batches[other].firstSeq, expectedPrev: batchStartPrev[other]) }
                return .suspect(seq: batch.firstSeq, expectedPrev: batchStartPrev[current])
            }
            guard seq == expectedSeq, Self.column(sqlite, 9, equals: lastHashText),
                let hashText = sqlite3_column_text(sqlite, 10), sqlite3_column_bytes(sqlite, 10) == 64,
                RowForm.problem(sqlite) == nil
            else { return suspect() }
            // prev_hash equals the previous row's stored hash, whose bytes are already known.
            lastHash.withUnsafeBytes { batch.bytes.append(contentsOf: $0) }
            ChainHash.appendUInt64(UInt64(bitPattern: seq), to: &batch.bytes)
            for column in Int32(1)...8 { Self.appendField(sqlite, column, to: &batch.bytes) }
            batch.ends.append(batch.bytes.count)
            if collectingKeys { keys.add(sqlite, seq: seq) }
            let hashBytes = UnsafeBufferPointer(start: hashText, count: 64)
            batch.storedHashes.append(contentsOf: hashBytes)
            lastHashText.withUnsafeMutableBufferPointer { _ = $0.initialize(from: hashBytes) }
            guard let stored = Digest(hexBuffer: UnsafeRawBufferPointer(hashBytes)) else { return suspect() }
            lastHash = stored
            expectedSeq += 1
            if batch.ends.count == StagedRows.capacity {
                submit(current)
                current = 1 - current
                if !finish(current) {
                    return .suspect(seq: batches[current].firstSeq, expectedPrev: batchStartPrev[current])
                }
                batchStartPrev[current] = lastHash
                batches[current].reset(firstSeq: expectedSeq)
            }
        }
        if !batches[current].ends.isEmpty { submit(current) }
        for index in [1 - current, current] where !finish(index) {
            return .suspect(seq: batches[index].firstSeq, expectedPrev: batchStartPrev[index])
        }
        return .intact(size: expectedSeq - 1, head: lastHash, keys: keys)
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
        // FNV-1a over the text, then two SplitMix64 finalisations with the seq, summed: the order of rows is lost.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        if let text {
            for index in 0..<Int(length) { hash = (hash ^ UInt64(text[index])) &* 0x100_0000_01b3 }
        }
        low &+= Self.mix(hash ^ UInt64(bitPattern: seq))
        high &+= Self.mix(hash &+ UInt64(bitPattern: seq) &* 0x9E37_79B9_7F4A_7C15 ^ 0x5851_F42D_4C95_7F2D)
        count += 1
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

    mutating func add(_ statement: OpaquePointer, seq: Int64) {
        eventID.add(sqlite3_column_text(statement, 1), count: sqlite3_column_bytes(statement, 1), seq: seq)
        site.add(sqlite3_column_text(statement, 2), count: sqlite3_column_bytes(statement, 2), seq: seq)
    }
}
