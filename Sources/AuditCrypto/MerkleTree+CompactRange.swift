extension MerkleTree {
    /// The right edge of an RFC 6962 tree: the roots of its perfect subtrees, largest first, one per set bit of
    /// its size. Enough to append leaves and to give the root, so a collector need not re-read a log's leaves.
    public struct CompactRange: Sendable, Hashable {
        public private(set) var size: Int64
        public private(set) var nodes: [Digest]

        public init() {
            size = 0
            nodes = []
        }

        /// Refuses nodes that cannot be the range of a tree of `size` leaves (one node per set bit).
        public init?(size: Int64, nodes: [Digest]) {
            guard size >= 0, nodes.count == size.nonzeroBitCount else { return nil }
            self.size = size
            self.nodes = nodes
        }

        /// Adds a leaf hash on the right: each pair of equal-size subtrees it completes becomes one.
        public mutating func append(leafHash: Digest) {
            var node = leafHash
            var carried = size
            while carried & 1 == 1, let left = nodes.popLast() {
                node = MerkleTree.nodeHash(left: left, right: node)
                carried >>= 1
            }
            nodes.append(node)
            size += 1
        }

        /// MTH of the leaves so far: the subtrees folded from the right, as RFC 6962 splits at the largest power
        /// of two.
        public var root: Digest {
            guard var folded = nodes.last else { return MerkleTree.emptyRoot }
            for node in nodes.dropLast().reversed() { folded = MerkleTree.nodeHash(left: node, right: folded) }
            return folded
        }
    }
}
