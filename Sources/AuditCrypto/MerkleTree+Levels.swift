/// Every node of one RFC 6962 tree, level by level, so many proofs cost O(log n) each after one O(n) build.
///
/// A report proves its checkpoint consistent with each earlier cosigned checkpoint; one pass per proof would
/// cost O(n) each. Written here rather than taken from a library because no Swift package in the mirror keeps
/// RFC 6962 node levels, and the byte-exact tree shape must be the one ``MerkleTree`` proves against.
extension MerkleTree {
    public struct Levels: Sendable {
        /// `nodes[l][i]` is the root of leaves `i·2^l ..< min((i+1)·2^l, size)`: the level reduction carries a
        /// last unpaired node up unchanged, which builds exactly RFC 6962's left-balanced tree.
        let nodes: [[Digest]]
        public let size: Int

        public init(leafHashes: [Digest]) {
            size = leafHashes.count
            var levels = [leafHashes]
            let hasher = NodeHasher()
            while let last = levels.last, last.count > 1 {
                var next: [Digest] = []
                next.reserveCapacity((last.count + 1) / 2)
                var index = 0
                while index + 1 < last.count {
                    next.append(hasher.node(last[index], last[index + 1]))
                    index += 2
                }
                if index < last.count { next.append(last[index]) }
                levels.append(next)
            }
            nodes = levels
        }

        public var root: Digest { nodes.last?.first ?? MerkleTree.emptyRoot }

        /// MTH(D[range]) for a range that is a node of this tree, as every SUBPROOF range is.
        func node(_ range: Range<Int>) -> Digest {
            let width = range.count
            let level = width <= 1 ? 0 : Int.bitWidth - (width - 1).leadingZeroBitCount
            return nodes[level][range.lowerBound >> level]
        }

        /// PROOF(oldSize, D[size]), equal to ``MerkleTree/consistencyProof(oldSize:newSize:leafHashes:)``.
        public func consistencyProof(from oldSize: Int) throws(CryptoError) -> [Digest] {
            guard oldSize >= 0, oldSize <= size else {
                throw .merkleRange("cannot prove size \(oldSize) against a tree of \(size) leaves")
            }
            return MerkleTree.consistencyPath(oldSize: oldSize, newSize: size, node: node)
        }

        /// PATH(index, D[size]), equal to ``MerkleTree/inclusionProof(index:leafHashes:)``.
        public func inclusionProof(index: Int) throws(CryptoError) -> [Digest] {
            guard index >= 0, index < size else {
                throw .merkleRange("leaf index \(index) is outside a tree of \(size) leaves")
            }
            var proof: [Digest] = []
            var position = index
            for level in nodes.dropLast() {
                let sibling = position ^ 1
                if sibling < level.count { proof.append(level[sibling]) }
                position >>= 1
            }
            return proof
        }
    }
}
