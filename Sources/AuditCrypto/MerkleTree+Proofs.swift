/// Inclusion and consistency proofs for ``MerkleTree`` (RFC 6962 §2.1.1–2.1.2, verified per RFC 9162 §2.1.3–2.1.4).
///
/// Proofs list sibling subtree hashes from the leaf level up to the root, as both RFCs order them.
extension MerkleTree {
    /// Audit path PATH(index, D[n]) for the leaf at `index` in the tree made of all `leafHashes`.
    public static func inclusionProof(index: Int, leafHashes: [Digest]) throws(CryptoError) -> [Digest] {
        guard index >= 0, index < leafHashes.count else {
            throw .merkleRange("leaf index \(index) is outside a tree of \(leafHashes.count) leaves")
        }
        var proof = [Digest]()
        var scratch = leafHashes
        scratch.withUnsafeMutableBufferPointer { nodes in
            let hasher = NodeHasher()
            var position = index
            var count = nodes.count
            while count > 1 {
                // A node with no right neighbour is carried up unchanged and contributes no hash.
                let sibling = position ^ 1
                if sibling < count { proof.append(nodes[sibling]) }
                count = hasher.reduceLevel(nodes, count: count)
                position >>= 1
            }
        }
        return proof
    }

    /// Consistency proof PROOF(oldSize, D[newSize]) showing the first `oldSize` leaves are a prefix.
    ///
    /// Empty when `oldSize` is 0 or equal to `newSize`; `leafHashes` may hold more than `newSize` leaves.
    public static func consistencyProof(oldSize: Int, newSize: Int, leafHashes: [Digest]) throws(CryptoError)
        -> [Digest]
    {
        guard oldSize >= 0, oldSize <= newSize, newSize <= leafHashes.count else {
            throw .merkleRange(
                "cannot prove size \(oldSize) against size \(newSize) with \(leafHashes.count) leaves")
        }
        let hasher = NodeHasher()
        return consistencyPath(oldSize: oldSize, newSize: newSize) { subtreeRoot(leafHashes, $0, hasher: hasher) }
    }

    /// SUBPROOF(m, D[0:n], true) unrolled: each step keeps one side and records the other side's hash, which
    /// `node` supplies for a range that is always a node of the tree of `newSize` leaves.
    static func consistencyPath(oldSize: Int, newSize: Int, node: (Range<Int>) -> Digest) -> [Digest] {
        if oldSize == 0 || oldSize == newSize { return [] }
        var low = 0
        var high = newSize
        var remaining = oldSize
        var oldRootIsWholeSubtree = true
        var recorded = [Digest]()
        while remaining != high - low {
            let split = largestPowerOfTwo(below: high - low)
            if remaining <= split {
                recorded.append(node((low + split)..<high))
                high = low + split
            } else {
                recorded.append(node(low..<(low + split)))
                low += split
                remaining -= split
                oldRootIsWholeSubtree = false
            }
        }
        var proof = oldRootIsWholeSubtree ? [] : [node(low..<high)]
        proof.append(contentsOf: recorded.reversed())
        return proof
    }

    /// RFC 9162 §2.1.3.2: recomputes the root from `leafHash` and the audit path and compares it to `root`.
    public static func verifyInclusion(leafHash: Digest, index: Int, treeSize: Int, proof: [Digest], root: Digest)
        -> Bool
    {
        guard index >= 0, index < treeSize else { return false }
        let hasher = NodeHasher()
        var fn = index
        var sn = treeSize - 1
        var computed = leafHash
        for sibling in proof {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                computed = hasher.node(sibling, computed)
                skipLevelsWithoutRightSibling(&fn, &sn)
            } else {
                computed = hasher.node(computed, sibling)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && computed == root
    }

    /// RFC 9162 §2.1.4.2: checks that the tree with `oldRoot` is a prefix of the tree with `newRoot`.
    ///
    /// Edge cases outside the RFC's 0 < old < new: equal sizes need an empty proof and equal roots;
    /// old size 0 needs an empty proof and `oldRoot` equal to ``emptyRoot``.
    public static func verifyConsistency(oldSize: Int, newSize: Int, oldRoot: Digest, newRoot: Digest, proof: [Digest])
        -> Bool
    {
        guard oldSize >= 0, oldSize <= newSize else { return false }
        if oldSize == newSize { return proof.isEmpty && oldRoot == newRoot }
        if oldSize == 0 { return proof.isEmpty && oldRoot == emptyRoot }
        guard !proof.isEmpty else { return false }
        let path = oldSize & (oldSize - 1) == 0 ? [oldRoot] + proof : proof
        let hasher = NodeHasher()
        var fn = oldSize - 1
        var sn = newSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var oldComputed = path[0]
        var newComputed = path[0]
        for sibling in path.dropFirst() {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                oldComputed = hasher.node(sibling, oldComputed)
                newComputed = hasher.node(sibling, newComputed)
                skipLevelsWithoutRightSibling(&fn, &sn)
            } else {
                newComputed = hasher.node(newComputed, sibling)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && oldComputed == oldRoot && newComputed == newRoot
    }

    /// RFC 9162: "right-shift both fn and sn equally until either LSB(fn) is set or fn is 0", i.e. climb
    /// past the levels where the node was a last, unpaired node that was carried up unchanged.
    private static func skipLevelsWithoutRightSibling(_ fn: inout Int, _ sn: inout Int) {
        while fn & 1 == 0 && fn != 0 {
            fn >>= 1
            sn >>= 1
        }
    }

    /// The largest power of two strictly smaller than `count` (which must be at least 2): RFC 6962's split k.
    static func largestPowerOfTwo(below count: Int) -> Int {
        1 << (Int.bitWidth - 1 - (count - 1).leadingZeroBitCount)
    }
}
