import AuditCrypto
import AuditTestSupport
import Testing

/// Textbook recursive RFC 6962 definitions (MTH, PATH, SUBPROOF), slow but obviously right.
enum ReferenceMerkle {
    static func split(_ count: Int) -> Int {
        var power = 1
        while power * 2 < count { power *= 2 }
        return power
    }

    static func root(_ leaves: ArraySlice<Digest>) -> Digest {
        if leaves.isEmpty { return MerkleTree.emptyRoot }
        if leaves.count == 1 { return leaves[leaves.startIndex] }
        let middle = leaves.startIndex + split(leaves.count)
        return MerkleTree.nodeHash(left: root(leaves[..<middle]), right: root(leaves[middle...]))
    }

    static func path(_ index: Int, _ leaves: ArraySlice<Digest>) -> [Digest] {
        if leaves.count <= 1 { return [] }
        let k = split(leaves.count)
        let middle = leaves.startIndex + k
        if index < k { return path(index, leaves[..<middle]) + [root(leaves[middle...])] }
        return path(index - k, leaves[middle...]) + [root(leaves[..<middle])]
    }

    static func subproof(_ old: Int, _ leaves: ArraySlice<Digest>, _ complete: Bool) -> [Digest] {
        if old == leaves.count { return complete ? [] : [root(leaves)] }
        let k = split(leaves.count)
        let middle = leaves.startIndex + k
        if old <= k { return subproof(old, leaves[..<middle], complete) + [root(leaves[middle...])] }
        return subproof(old - k, leaves[middle...], false) + [root(leaves[..<middle])]
    }
}

@Suite struct MerkleTreeRandomTests {
    static func randomLeafHashes<G: RandomNumberGenerator>(_ count: Int, using generator: inout G) -> [Digest] {
        (0..<count).map { _ in
            let length = Int.random(in: 0...40, using: &generator)
            return MerkleTree.leafHash((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) })
        }
    }

    static func flippingOneRandomBit<G: RandomNumberGenerator>(of proof: [Digest], using generator: inout G)
        -> [Digest]
    {
        var wrong = proof
        let position = Int.random(in: 0..<proof.count, using: &generator)
        wrong[position] = flippingBit(
            of: wrong[position], byte: Int.random(in: 0..<32, using: &generator),
            mask: 1 << UInt8.random(in: 0..<8, using: &generator))
        return wrong
    }

    @Test func everyInclusionProofVerifiesAndAFlippedByteFails() throws {
        var generator = SplitMix64(seed: 0x6962)
        let sizes = Array(1...33) + (0..<12).map { _ in Int.random(in: 34...700, using: &generator) }
        for size in sizes {
            let leafHashes = Self.randomLeafHashes(size, using: &generator)
            let root = MerkleTree.root(leafHashes: leafHashes)
            #expect(root == ReferenceMerkle.root(leafHashes[...]), "root, size \(size)")
            for index in 0..<size {
                let proof = try MerkleTree.inclusionProof(index: index, leafHashes: leafHashes)
                if size <= 64 {
                    #expect(proof == ReferenceMerkle.path(index, leafHashes[...]), "path \(index) of \(size)")
                }
                let ok = MerkleTree.verifyInclusion(
                    leafHash: leafHashes[index], index: index, treeSize: size, proof: proof, root: root)
                #expect(ok, "leaf \(index) of \(size)")
                guard !proof.isEmpty else { continue }
                let wrong = Self.flippingOneRandomBit(of: proof, using: &generator)
                let bad = MerkleTree.verifyInclusion(
                    leafHash: leafHashes[index], index: index, treeSize: size, proof: wrong, root: root)
                #expect(!bad, "flipped proof, leaf \(index) of \(size)")
            }
        }
    }

    @Test func everyConsistencyProofVerifiesAndAFlippedByteFails() throws {
        var generator = SplitMix64(seed: 0x9162)
        for newSize in 1...70 {
            let leafHashes = Self.randomLeafHashes(newSize, using: &generator)
            let newRoot = MerkleTree.root(leafHashes: leafHashes)
            for oldSize in 1...newSize {
                let oldRoot = MerkleTree.root(leafHashes: Array(leafHashes[..<oldSize]))
                let proof = try MerkleTree.consistencyProof(oldSize: oldSize, newSize: newSize, leafHashes: leafHashes)
                #expect(proof == ReferenceMerkle.subproof(oldSize, leafHashes[...], true), "\(oldSize) -> \(newSize)")
                let ok = MerkleTree.verifyConsistency(
                    oldSize: oldSize, newSize: newSize, oldRoot: oldRoot, newRoot: newRoot, proof: proof)
                #expect(ok, "\(oldSize) -> \(newSize)")
                guard !proof.isEmpty else { continue }
                let wrong = Self.flippingOneRandomBit(of: proof, using: &generator)
                let bad = MerkleTree.verifyConsistency(
                    oldSize: oldSize, newSize: newSize, oldRoot: oldRoot, newRoot: newRoot, proof: wrong)
                #expect(!bad, "flipped proof, \(oldSize) -> \(newSize)")
            }
        }
    }

    @Test func millionLeafRootSplitsIntoItsHalves() throws {
        // 2^20 leaves: the root must be the node hash of the two 2^19 halves, and the last leaf's proof verifies.
        let count = 1 << 20
        let leafHashes = (0..<count).map { index in
            withUnsafeBytes(of: UInt64(index).bigEndian) { MerkleTree.leafHash(Array($0)) }
        }
        let root = MerkleTree.root(leafHashes: leafHashes)
        let left = MerkleTree.root(leafHashes: Array(leafHashes[..<(count / 2)]))
        let right = MerkleTree.root(leafHashes: Array(leafHashes[(count / 2)...]))
        #expect(root == MerkleTree.nodeHash(left: left, right: right))
        let proof = try MerkleTree.inclusionProof(index: count - 1, leafHashes: leafHashes)
        #expect(proof.count == 20)
        #expect(
            MerkleTree.verifyInclusion(
                leafHash: leafHashes[count - 1], index: count - 1, treeSize: count, proof: proof, root: root))
    }
}
