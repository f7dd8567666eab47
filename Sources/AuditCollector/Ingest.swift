import AuditCrypto
import AuditLog
import AuditSyncProtocol

/// What a store holds of one log: the owner, how many events, the last hash, and the last cosigned size.
public struct LogState: Sendable, Hashable {
    public var logID: String
    public var installer: String
    public var size: Int64
    public var head: Digest
    public var witnessedSize: Int64
    public var forked: Bool

    public init(logID: String, installer: String, size: Int64, head: Digest, witnessedSize: Int64, forked: Bool) {
        self.logID = logID
        self.installer = installer
        self.size = size
        self.head = head
        self.witnessedSize = witnessedSize
        self.forked = forked
    }
}

/// A row the log offered at a seq the collector holds with another hash.
public struct ForkedRow: Sendable, Hashable {
    public var offered: LoggedEvent
    public var heldHash: Digest
}

/// The continuation checks of a chunk against the collector's copy, apart from any store so both stores agree.
public enum Ingest {
    /// What to do with a chunk that passed the checks.
    public enum Plan: Sendable, Hashable {
        /// Store these events (empty: everything was already held, a no-op).
        case append([LoggedEvent])
        /// Keep these rows as evidence, flag the log, refuse with 409.
        case fork([ForkedRow])
    }

    /// The seqs of held events a chunk overlaps, whose hashes the store must look up.
    public static func overlap(_ chunk: [LoggedEvent], heldSize: Int64) -> ClosedRange<Int64>? {
        guard let first = chunk.first?.seq, first <= heldSize else { return nil }
        return first...min(heldSize, first + Int64(chunk.count) - 1)
    }

    /// Checks the chunk (`check`, unless `checked` says the store did it before taking the log's lock) and the
    /// start at or before the collector's size + 1. Held seqs are compared by hash.
    public static func plan(
        logID: String, held: LogState?, chunk: [LoggedEvent], heldHashes: [Int64: Digest], checked: Bool = false
    ) throws(SyncError) -> Plan {
        guard let first = chunk.first else { throw .malformed("the chunk holds no event") }
        let size = held?.size ?? 0
        if !checked { try check(logID: logID, chunk: chunk) }
        guard held != nil || first.seq == 1 else { throw .unknownLog(logID) }
        guard first.seq <= size + 1 else { throw .gap(first: first.seq, held: size) }
        var forked: [ForkedRow] = []
        for event in chunk where event.seq <= size {
            guard let heldHash = heldHashes[event.seq] else {
                throw .storage("seq \(event.seq) of log \(logID) is missing from the collector's copy")
            }
            if heldHash != event.hash { forked.append(ForkedRow(offered: event, heldHash: heldHash)) }
        }
        if !forked.isEmpty { return .fork(forked) }
        // Nearly every chunk starts after what is held: then it is the chunk itself, not a copy of its events.
        let new = first.seq > size ? chunk : chunk.filter { $0.seq > size }
        if let next = new.first, next.prevHash != (held?.head ?? ChainHash.genesis(logID: logID)) {
            throw .conflict("seq \(next.seq)'s prev_hash is not the hash of the collector's seq \(size)")
        }
        return .append(new)
    }

    /// The checks of a chunk on its own, whatever the collector holds: consecutive seqs, every hash recomputed
    /// from its columns, every chain link inside it, and the genesis of seq 1.
    public static func check(logID: String, chunk: [LoggedEvent]) throws(SyncError) {
        guard let first = chunk.first else { throw .malformed("the chunk holds no event") }
        let hasher = SHA256Hasher()
        var message: [UInt8] = []
        // By index, each event read in place: a loop's copy of an event retained each of its texts.
        for index in chunk.indices {
            let seq = chunk[index].seq
            guard seq == first.seq + Int64(index) else {
                throw .conflict("seq \(seq) follows seq \(chunk[index - 1].seq): a chunk's seqs are consecutive")
            }
            guard ChainHash.hash(of: chunk[index], using: hasher, buffer: &message) == chunk[index].hash else {
                throw .conflict("the hash of seq \(seq) is not the SHA-256 of its columns")
            }
            if index > 0, chunk[index].prevHash != chunk[index - 1].hash {
                throw .conflict("seq \(seq)'s prev_hash is not seq \(seq - 1)'s hash")
            }
        }
        if first.seq == 1, first.prevHash != ChainHash.genesis(logID: logID) {
            throw .conflict("seq 1's prev_hash is not the genesis hash of log \(logID)")
        }
    }
}
