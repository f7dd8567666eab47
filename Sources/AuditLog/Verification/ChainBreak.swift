import AuditCrypto

/// The first place where the stored chain stops proving itself.
public struct ChainBreak: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        /// A column other than the hashes was edited: the row no longer hashes to its stored hash.
        case contentChanged = "content changed"
        /// A seq is absent from the sequence 1, 2, 3, ...
        case rowMissing = "row missing"
        /// A row links to a row that comes after it.
        case outOfOrder = "rows out of order"
        /// `hash` or `prev_hash` was edited while the content stayed.
        case hashAltered = "hash column altered"
        /// The first row, or log_meta, does not chain to the genesis value of the log id.
        case genesisMismatch = "genesis mismatch"
        /// A row hashes correctly but a field breaks its form (FORMAT.md §2.1): the hashes were recomputed
        /// over content no writer produces, or a writer is broken.
        case malformedRow = "malformed row"
    }

    public var seq: Int64
    public var kind: Kind
    public var detail: String

    public init(seq: Int64, kind: Kind, detail: String) {
        self.seq = seq
        self.kind = kind
        self.detail = detail
    }

    public var description: String { "seq \(seq): \(kind.rawValue): \(detail)" }
}

/// What `verify` found: the verified size and head, or the first break.
public struct ChainVerification: Sendable, Hashable {
    public var logID: String
    public var size: Int64
    public var head: Digest
    public var firstBreak: ChainBreak?
    /// Safeguards found missing (e.g. the append-only triggers); the chain itself may still be intact.
    public var warnings: [String]
    /// What SQLite's integrity check found wrong in the events table or its indexes, when it was run.
    public var damage: [String] = []

    public var isIntact: Bool { firstBreak == nil && damage.isEmpty }
}
