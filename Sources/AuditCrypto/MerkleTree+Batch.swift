/// Many inclusion proofs from one pass over the tree, for reports that prove every event of a site at once.
extension MerkleTree {
    /// Leaf hash of a 32-byte digest used as leaf data, reusing `hasher`: SHA-256(0x00 || digest).
    public static func leafHash(of digest: Digest, using hasher: SHA256Hasher) -> Digest {
        withUnsafeBytes(of: UInt8(0x00)) { hasher.update($0) }
        digest.withUnsafeBytes { hasher.update($0) }
        return hasher.finalize()
    }

    /// The root and PATH(index, D[n]) for each of `indices`, in O(n + k log n) hashes.
    ///
    /// The leaves are reduced in place: pass them with `consume` and no second copy of them is ever made.
    ///
    /// Reducing the leaves level by level, each index's sibling is read before its level is replaced,
    /// which yields exactly ``inclusionProof(index:leafHashes:)`` for every index.
    public static func rootAndInclusionProofs(
        indices: [Int], leafHashes: consuming [Digest]
    ) throws(CryptoError) -> (root: Digest, proofs: [[Digest]]) {
        let count = leafHashes.count
        if let bad = indices.first(where: { $0 < 0 || $0 >= count }) {
            throw .merkleRange("leaf index \(bad) is outside a tree of \(count) leaves")
        }
        guard count > 0 else { return (emptyRoot, []) }
        var proofs = [[Digest]](repeating: [], count: indices.count)
        var positions = indices
        let root = leafHashes.withUnsafeMutableBufferPointer { buffer in
            let hasher = NodeHasher()
            var level = count
            while level > 1 {
                for slot in positions.indices {
                    let sibling = positions[slot] ^ 1
                    if sibling < level { proofs[slot].append(buffer[sibling]) }
                    positions[slot] >>= 1
                }
                level = hasher.reduceLevel(buffer, count: level)
            }
            return buffer[0]
        }
        return (root, proofs)
    }
}
