import AuditCrypto
import Testing

/// The level-kept tree must give exactly the proofs the one-pass functions give, for every size and index.
@Suite struct MerkleTreeLevelsTests {
    static func leaves(_ count: Int) -> [Digest] {
        (0..<count).map { MerkleTree.leafHash(Array("leaf \($0)".utf8)) }
    }

    @Test(arguments: [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100])
    func everyProofEqualsTheOnePassProof(size: Int) throws {
        let leaves = Self.leaves(size)
        let levels = MerkleTree.Levels(leafHashes: leaves)
        #expect(levels.root == MerkleTree.root(leafHashes: leaves))
        for old in 0...size {
            let proof = try levels.consistencyProof(from: old)
            #expect(proof == (try MerkleTree.consistencyProof(oldSize: old, newSize: size, leafHashes: leaves)))
            #expect(
                MerkleTree.verifyConsistency(
                    oldSize: old, newSize: size, oldRoot: MerkleTree.root(leafHashes: Array(leaves.prefix(old))),
                    newRoot: levels.root, proof: proof))
        }
        for index in 0..<size {
            #expect(
                try levels.inclusionProof(index: index) == MerkleTree.inclusionProof(index: index, leafHashes: leaves))
        }
    }

    @Test func sizesOutsideTheTreeAreRefused() {
        let levels = MerkleTree.Levels(leafHashes: Self.leaves(5))
        #expect(throws: CryptoError.self) { try levels.consistencyProof(from: 6) }
        #expect(throws: CryptoError.self) { try levels.consistencyProof(from: -1) }
        #expect(throws: CryptoError.self) { try levels.inclusionProof(index: 5) }
    }
}
