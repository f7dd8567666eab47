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
        case intact(size: Int64, head: Digest)
        /// Something is wrong at or after `seq`; the sequential walk from there names it.
        case suspect(seq: Int64, expectedPrev: Digest)
    }

    /// Checks links on this thread and hashes on another; stops at the first batch with any problem.
    func walkPipelined(genesis: Digest) throws -> FastResult {
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
        return .intact(size: expectedSeq - 1, head: lastHash)
    }

    static func column(_ statement: OpaquePointer, _ index: Int32, equals text: [UInt8]) -> Bool {
        guard sqlite3_column_type(statement, index) == SQLITE_TEXT, let value = sqlite3_column_text(statement, index),
            Int(sqlite3_column_bytes(statement, index)) == text.count
        else { return false }
        return text.withUnsafeBytes { memcmp($0.baseAddress!, value, text.count) == 0 }
    }
}
