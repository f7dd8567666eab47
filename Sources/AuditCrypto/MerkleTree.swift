/// RFC 6962 §2.1 Merkle Tree Hash (MTH) over byte-string leaves, the form Certificate Transparency uses.
///
/// Leaf and interior hashes carry different one-byte prefixes (0x00, 0x01) so a leaf can never be
/// passed off as an interior node (second-preimage resistance).
public enum MerkleTree {
    /// MTH of the empty tree: SHA-256 of the empty string.
    public static let emptyRoot = SHA256.hash([])

    /// Leaf hash: SHA-256(0x00 || leaf).
    public static func leafHash(_ leaf: [UInt8]) -> Digest {
        NodeHasher().leaf(leaf)
    }

    /// Interior node hash: SHA-256(0x01 || left || right).
    public static func nodeHash(left: Digest, right: Digest) -> Digest {
        NodeHasher().node(left, right)
    }

    /// MTH over already-hashed leaves, in one pass over a single scratch copy (fine for millions of leaves).
    ///
    /// Pairing neighbours level by level and carrying an odd last node up unchanged builds exactly the
    /// RFC 6962 tree, which splits at the largest power of two smaller than the leaf count.
    public static func root(leafHashes: [Digest]) -> Digest {
        guard !leafHashes.isEmpty else { return emptyRoot }
        var scratch = leafHashes
        return scratch.withUnsafeMutableBufferPointer { nodes in
            let hasher = NodeHasher()
            var count = nodes.count
            while count > 1 { count = hasher.reduceLevel(nodes, count: count) }
            return nodes[0]
        }
    }

    /// MTH of the leaves in `range`, without touching the caller's array.
    static func subtreeRoot(_ leafHashes: [Digest], _ range: Range<Int>, hasher: borrowing NodeHasher) -> Digest {
        guard !range.isEmpty else { return emptyRoot }
        if range.count == 1 { return leafHashes[range.lowerBound] }
        var scratch = Array(leafHashes[range])
        return scratch.withUnsafeMutableBufferPointer { nodes in
            var count = nodes.count
            while count > 1 { count = hasher.reduceLevel(nodes, count: count) }
            return nodes[0]
        }
    }
}

/// One reusable SHA-256 context for many leaf and node hashes, so large trees allocate nothing per node.
struct NodeHasher: ~Copyable {
    private let hasher = SHA256Hasher()

    func leaf(_ bytes: [UInt8]) -> Digest {
        withUnsafeBytes(of: UInt8(0x00)) { hasher.update($0) }
        hasher.update(bytes)
        return hasher.finalize()
    }

    func node(_ left: Digest, _ right: Digest) -> Digest {
        withUnsafeBytes(of: UInt8(0x01)) { hasher.update($0) }
        left.withUnsafeBytes { hasher.update($0) }
        right.withUnsafeBytes { hasher.update($0) }
        return hasher.finalize()
    }

    /// Replaces the first `count` nodes by their parent level in place and returns the parent count.
    func reduceLevel(_ nodes: UnsafeMutableBufferPointer<Digest>, count: Int) -> Int {
        var parent = 0
        var child = 0
        while child + 1 < count {
            nodes[parent] = node(nodes[child], nodes[child + 1])
            parent += 1
            child += 2
        }
        if child < count {
            nodes[parent] = nodes[child]
            parent += 1
        }
        return parent
    }
}
