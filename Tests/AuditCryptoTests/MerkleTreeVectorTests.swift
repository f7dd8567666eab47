import AuditCrypto
import Testing

/// Published RFC 6962 known-answer vectors.
///
/// Source: the certificate-transparency reference implementation's test data,
/// google/certificate-transparency `cpp/merkletree/merkle_tree_test.cc` (kInputs, kSHA256Roots,
/// kSHA256Paths, kSHA256Proofs), repeated in transparency-dev/merkle `testonly/constants.go` and
/// `proof/verify_test.go` (which adds the 6 -> 7 consistency proof). The C++ file numbers leaves
/// from 1; here indices are 0-based.
enum RFC6962Vectors {
    static let leaves: [[UInt8]] = [
        "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
    ].map(hexBytes)

    static let emptyRoot = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// Roots of the trees made of the first 1...8 leaves.
    static let roots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]

    struct Inclusion: Sendable, CustomTestStringConvertible {
        let index: Int
        let treeSize: Int
        let path: [String]
        var testDescription: String { "leaf \(index) of \(treeSize)" }
    }

    static let inclusions = [
        Inclusion(index: 0, treeSize: 1, path: []),
        Inclusion(
            index: 0, treeSize: 8,
            path: [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]),
        Inclusion(
            index: 5, treeSize: 8,
            path: [
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]),
        Inclusion(
            index: 2, treeSize: 3,
            path: ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
        Inclusion(
            index: 1, treeSize: 5,
            path: [
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]),
    ]

    struct Consistency: Sendable, CustomTestStringConvertible {
        let oldSize: Int
        let newSize: Int
        let proof: [String]
        var testDescription: String { "\(oldSize) -> \(newSize)" }
    }

    static let consistencies = [
        Consistency(oldSize: 1, newSize: 1, proof: []),
        Consistency(
            oldSize: 1, newSize: 8,
            proof: [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]),
        Consistency(
            oldSize: 6, newSize: 8,
            proof: [
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]),
        Consistency(
            oldSize: 2, newSize: 5,
            proof: [
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]),
        Consistency(
            oldSize: 6, newSize: 7,
            proof: [
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]),
    ]

    static var leafHashes: [Digest] { leaves.map(MerkleTree.leafHash) }

    static func root(size: Int) -> Digest { digest(size == 0 ? emptyRoot : roots[size - 1]) }
}

func digest(_ hex: String) -> Digest {
    guard let value = Digest(hex: hex) else { fatalError("bad digest hex in test: \(hex)") }
    return value
}

@Suite struct MerkleTreeVectorTests {
    @Test func emptyTreeRootIsSHA256OfNothing() {
        #expect(MerkleTree.root(leafHashes: []).hex == RFC6962Vectors.emptyRoot)
        #expect(MerkleTree.emptyRoot.hex == RFC6962Vectors.emptyRoot)
    }

    @Test(arguments: 1...8)
    func rootsMatchReference(size: Int) {
        let root = MerkleTree.root(leafHashes: Array(RFC6962Vectors.leafHashes.prefix(size)))
        #expect(root.hex == RFC6962Vectors.roots[size - 1])
    }

    @Test(arguments: RFC6962Vectors.inclusions)
    func inclusionProofsMatchReference(vector: RFC6962Vectors.Inclusion) throws {
        let leafHashes = Array(RFC6962Vectors.leafHashes.prefix(vector.treeSize))
        let proof = try MerkleTree.inclusionProof(index: vector.index, leafHashes: leafHashes)
        #expect(proof.map(\.hex) == vector.path)
        let root = RFC6962Vectors.root(size: vector.treeSize)
        let leafHash = leafHashes[vector.index]
        let check = { (index: Int, size: Int, path: [Digest], root: Digest, leaf: Digest) in
            MerkleTree.verifyInclusion(leafHash: leaf, index: index, treeSize: size, proof: path, root: root)
        }
        #expect(check(vector.index, vector.treeSize, proof, root, leafHash))
        // The probes of transparency-dev/merkle's corruptInclusionProof that a typed [Digest] can express.
        #expect(!check(vector.index - 1, vector.treeSize, proof, root, leafHash))
        #expect(!check(vector.index + 1, vector.treeSize, proof, root, leafHash))
        #expect(!check(vector.index ^ 2, vector.treeSize, proof, root, leafHash))
        #expect(!check(vector.index, vector.treeSize * 2, proof, root, leafHash))
        #expect(!check(vector.index, vector.treeSize / 2, proof, root, leafHash))
        #expect(!check(vector.index, vector.treeSize, proof, root, MerkleTree.leafHash(Array("WrongLeaf".utf8))))
        #expect(!check(vector.index, vector.treeSize, proof, MerkleTree.emptyRoot, leafHash))
        #expect(!check(vector.index, vector.treeSize, proof + [root], root, leafHash))
        #expect(!check(vector.index, vector.treeSize, [root] + proof, root, leafHash))
        if !proof.isEmpty {
            #expect(!check(vector.index, vector.treeSize, Array(proof.dropLast()), root, leafHash))
        }
        for position in proof.indices {
            var wrong = proof
            wrong[position] = flippingBit(of: wrong[position], byte: 0, mask: 8)
            #expect(!check(vector.index, vector.treeSize, wrong, root, leafHash))
        }
    }

    @Test(arguments: RFC6962Vectors.consistencies)
    func consistencyProofsMatchReference(vector: RFC6962Vectors.Consistency) throws {
        let leafHashes = RFC6962Vectors.leafHashes
        let proof = try MerkleTree.consistencyProof(
            oldSize: vector.oldSize, newSize: vector.newSize, leafHashes: leafHashes)
        #expect(proof.map(\.hex) == vector.proof)
        let oldRoot = RFC6962Vectors.root(size: vector.oldSize)
        let newRoot = RFC6962Vectors.root(size: vector.newSize)
        let check = { (old: Int, new: Int, oldRoot: Digest, newRoot: Digest, path: [Digest]) in
            MerkleTree.verifyConsistency(oldSize: old, newSize: new, oldRoot: oldRoot, newRoot: newRoot, proof: path)
        }
        #expect(check(vector.oldSize, vector.newSize, oldRoot, newRoot, proof))
        guard !proof.isEmpty else { return }
        // The probes of transparency-dev/merkle's corruptConsistencyProof that a typed [Digest] can express.
        #expect(!check(vector.oldSize - 1, vector.newSize, oldRoot, newRoot, proof))
        #expect(!check(vector.oldSize + 1, vector.newSize, oldRoot, newRoot, proof))
        #expect(!check(vector.oldSize ^ 2, vector.newSize, oldRoot, newRoot, proof))
        #expect(!check(vector.oldSize, vector.newSize * 2, oldRoot, newRoot, proof))
        #expect(!check(vector.oldSize, vector.newSize / 2, oldRoot, newRoot, proof))
        #expect(!check(vector.oldSize, vector.newSize, MerkleTree.emptyRoot, newRoot, proof))
        #expect(!check(vector.oldSize, vector.newSize, oldRoot, MerkleTree.emptyRoot, proof))
        #expect(!check(vector.oldSize, vector.newSize, newRoot, oldRoot, proof))
        #expect(!check(vector.oldSize, vector.newSize, oldRoot, newRoot, []))
        #expect(!check(vector.oldSize, vector.newSize, oldRoot, newRoot, proof + [oldRoot]))
        #expect(!check(vector.oldSize, vector.newSize, oldRoot, newRoot, proof + [newRoot]))
        #expect(!check(vector.oldSize, vector.newSize, oldRoot, newRoot, [oldRoot] + proof))
        #expect(!check(vector.oldSize, vector.newSize, oldRoot, newRoot, [newRoot] + proof))
        #expect(!check(vector.oldSize, vector.newSize, oldRoot, newRoot, [proof[0]] + proof))
        #expect(!check(vector.oldSize, vector.newSize, oldRoot, newRoot, Array(proof.dropLast())))
        for position in proof.indices {
            var wrong = proof
            wrong[position] = flippingBit(of: wrong[position], byte: 0, mask: 16)
            #expect(!check(vector.oldSize, vector.newSize, oldRoot, newRoot, wrong))
        }
    }

    @Test func consistencyEdgeCases() {
        let empty = MerkleTree.emptyRoot
        let one = RFC6962Vectors.root(size: 1)
        let two = RFC6962Vectors.root(size: 2)
        #expect(MerkleTree.verifyConsistency(oldSize: 0, newSize: 0, oldRoot: empty, newRoot: empty, proof: []))
        #expect(MerkleTree.verifyConsistency(oldSize: 0, newSize: 1, oldRoot: empty, newRoot: one, proof: []))
        #expect(MerkleTree.verifyConsistency(oldSize: 1, newSize: 1, oldRoot: one, newRoot: one, proof: []))
        // Time travel, mismatched roots, missing or extra proof elements.
        #expect(!MerkleTree.verifyConsistency(oldSize: 1, newSize: 0, oldRoot: one, newRoot: empty, proof: []))
        #expect(!MerkleTree.verifyConsistency(oldSize: 2, newSize: 1, oldRoot: two, newRoot: one, proof: []))
        #expect(!MerkleTree.verifyConsistency(oldSize: 1, newSize: 2, oldRoot: one, newRoot: two, proof: []))
        #expect(!MerkleTree.verifyConsistency(oldSize: 1, newSize: 1, oldRoot: one, newRoot: two, proof: []))
        #expect(!MerkleTree.verifyConsistency(oldSize: 0, newSize: 1, oldRoot: one, newRoot: one, proof: []))
        #expect(!MerkleTree.verifyConsistency(oldSize: 0, newSize: 0, oldRoot: empty, newRoot: empty, proof: [empty]))
        #expect(!MerkleTree.verifyConsistency(oldSize: 0, newSize: 1, oldRoot: empty, newRoot: one, proof: [empty]))
        #expect(!MerkleTree.verifyConsistency(oldSize: 1, newSize: 1, oldRoot: one, newRoot: one, proof: [empty]))
    }

    @Test func inclusionEdgeCases() throws {
        let leaf = MerkleTree.leafHash(Array("data".utf8))
        // A one-leaf tree's root is its leaf hash and its proof is empty.
        #expect(MerkleTree.verifyInclusion(leafHash: leaf, index: 0, treeSize: 1, proof: [], root: leaf))
        for (index, size) in [(0, 0), (1, 0), (2, 1), (-1, 1)] {
            #expect(!MerkleTree.verifyInclusion(leafHash: leaf, index: index, treeSize: size, proof: [], root: leaf))
        }
        #expect(throws: CryptoError.self) {
            try MerkleTree.inclusionProof(index: 8, leafHashes: RFC6962Vectors.leafHashes)
        }
        #expect(throws: CryptoError.self) { try MerkleTree.inclusionProof(index: 0, leafHashes: []) }
        #expect(throws: CryptoError.self) {
            try MerkleTree.consistencyProof(oldSize: 3, newSize: 9, leafHashes: RFC6962Vectors.leafHashes)
        }
        #expect(throws: CryptoError.self) {
            try MerkleTree.consistencyProof(oldSize: 4, newSize: 3, leafHashes: RFC6962Vectors.leafHashes)
        }
    }
}

func flippingBit(of value: Digest, byte: Int, mask: UInt8) -> Digest {
    var raw = value.rawBytes
    raw[byte] ^= mask
    return Digest(raw)!
}
