import AuditCrypto
import AuditTestSupport
import Testing

@Suite struct MerkleTreeBatchTests {
    @Test func batchProofsEqualSingleProofsForEverySize() throws {
        var generator = SplitMix64(seed: 0xBA7C)
        for size in Array(1...40) + [255, 256, 257, 1000] {
            let leaves = MerkleTreeRandomTests.randomLeafHashes(size, using: &generator)
            let indices = (0..<size).filter { _ in Bool.random(using: &generator) } + [size - 1, 0]
            let batch = try MerkleTree.rootAndInclusionProofs(indices: indices, leafHashes: leaves)
            #expect(batch.root == MerkleTree.root(leafHashes: leaves), "root, size \(size)")
            for (slot, index) in indices.enumerated() {
                #expect(batch.proofs[slot] == (try MerkleTree.inclusionProof(index: index, leafHashes: leaves)))
            }
        }
    }

    @Test func emptyTreeHasTheEmptyRootAndRefusesIndices() throws {
        #expect(try MerkleTree.rootAndInclusionProofs(indices: [], leafHashes: []).root == MerkleTree.emptyRoot)
        #expect(throws: CryptoError.self) { try MerkleTree.rootAndInclusionProofs(indices: [0], leafHashes: []) }
    }

    @Test func leafHashOfADigestIsTheLeafHashOfItsBytes() {
        let digest = SHA256.hash("event")
        #expect(MerkleTree.leafHash(of: digest, using: SHA256Hasher()) == MerkleTree.leafHash(digest.rawBytes))
    }
}
