import AuditCrypto
import Testing

/// The compact range gives the same root as the whole tree at every size, and refuses a range of the wrong shape.
@Suite struct CompactRangeTests {
    @Test func itsRootIsTheTreesRootAtEverySize() {
        let leaves = (0..<70).map { MerkleTree.leafHash([UInt8($0)]) }
        var range = MerkleTree.CompactRange()
        #expect(range.root == MerkleTree.root(leafHashes: []))
        for (index, leaf) in leaves.enumerated() {
            range.append(leafHash: leaf)
            #expect(range.size == Int64(index + 1))
            #expect(range.nodes.count == (index + 1).nonzeroBitCount)
            #expect(range.root == MerkleTree.root(leafHashes: Array(leaves[...index])), "size \(index + 1)")
        }
        let copy = MerkleTree.CompactRange(size: range.size, nodes: range.nodes)
        #expect(copy == range)
        #expect(MerkleTree.CompactRange(size: 70, nodes: Array(range.nodes.dropLast())) == nil)
    }
}
