import AuditCrypto
import AuditLog
import Foundation

/// A log this witness cosigns for: its origin and the verifier key its checkpoints must be signed with.
public struct TrustedLog: Sendable, Hashable {
    public var origin: String
    public var key: NoteVerifierKey

    /// The log's key name must equal its origin (c2sp.org/tlog-checkpoint), and it signs with Ed25519.
    public init(origin: String, key: NoteVerifierKey) throws(WitnessError) {
        guard key.name == origin else {
            throw .malformed("the log key is named '\(key.name)', not its origin '\(origin)'")
        }
        guard key.type == .ed25519 else { throw .malformed("a log key signs with Ed25519 (type 01)") }
        self.origin = origin
        self.key = key
    }
}

/// What a witness last cosigned for one origin: the tree it will only ever extend.
public struct WitnessedTree: Sendable, Hashable {
    public var size: Int64
    public var root: Digest
    /// The checkpoint as served: the log's signed note with this witness's cosignature; nil before the first one.
    public var note: String?

    public init(size: Int64, root: Digest, note: String?) {
        self.size = size
        self.root = root
        self.note = note
    }

    /// A trusted origin that has never been cosigned: the empty tree.
    public static let empty = WitnessedTree(size: 0, root: MerkleTree.emptyRoot, note: nil)
}

/// Where a witness keeps its trusted logs and per-origin state.
///
/// `advance` runs its body and stores what it returns in one transaction: the new tree is durable before the
/// caller answers, and two requests for one origin can never both advance from the same tree.
public protocol WitnessStateStore: Sendable {
    /// Adds `log`, or replaces its key; the witnessed tree of a known origin is kept.
    func trust(_ log: TrustedLog) throws(WitnessError)
    func trustedLogs() throws(WitnessError) -> [TrustedLog]
    /// The latest tree cosigned for `origin`, `.empty` for a trusted origin never cosigned, nil when unknown.
    func tree(origin: String) throws(WitnessError) -> WitnessedTree?
    /// Reads the origin's log and tree, lets `body` decide, and stores the tree it returns, atomically.
    func advance<T: Sendable>(
        origin: String, _ body: (TrustedLog, WitnessedTree) throws(WitnessError) -> (WitnessedTree, T)
    ) throws(WitnessError) -> T
}

/// The witness state in memory, for tests and for a witness that need not survive a restart.
public final class InMemoryWitnessState: WitnessStateStore, @unchecked Sendable {
    // Guarded by `lock`; `@unchecked` because NSLock is the only portable lock before macOS 15's Mutex.
    private let lock = NSLock()
    private var logs: [String: TrustedLog] = [:]
    private var trees: [String: WitnessedTree] = [:]

    public init() {}

    public func trust(_ log: TrustedLog) throws(WitnessError) {
        lock.withLock { logs[log.origin] = log }
    }

    public func trustedLogs() throws(WitnessError) -> [TrustedLog] {
        lock.withLock { logs.values.sorted { $0.origin < $1.origin } }
    }

    public func tree(origin: String) throws(WitnessError) -> WitnessedTree? {
        lock.withLock { logs[origin] == nil ? nil : trees[origin] ?? .empty }
    }

    public func advance<T: Sendable>(
        origin: String, _ body: (TrustedLog, WitnessedTree) throws(WitnessError) -> (WitnessedTree, T)
    ) throws(WitnessError) -> T {
        lock.lock()
        defer { lock.unlock() }
        guard let log = logs[origin] else { throw .unknownOrigin(origin) }
        let (tree, result) = try body(log, trees[origin] ?? .empty)
        trees[origin] = tree
        return result
    }
}
