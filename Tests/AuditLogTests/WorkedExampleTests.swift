import AuditCrypto
import Foundation
import Testing

@testable import AuditLog

/// FORMAT.md §N5's worked example, value for value: a reader re-implementing the notes can reproduce each line.
@Suite struct WorkedExampleTests {
    static let logID = "01890a5d-ac96-774b-bcce-b302099a8057"
    static let logSeed = (1...32).map { UInt8($0) }
    static let witnessSeed = (33...64).map { UInt8($0) }
    /// The chain hashes of seq 1 and 2, the leaves' data.
    static let chain = [
        "5f9e8bd5d2e6c04cbbe77b7c2ac59e49fe5b2f1c58b3e7a1c2e6c21d5d8c1a01",
        "0b7d8a4e3f2c1b0a99887766554433221100ffeeddccbbaa9988776655443322",
    ]

    static let note = """
        audit.local/log/01890a5d-ac96-774b-bcce-b302099a8057
        2
        o0wnfEoVAeO8zTRMl2rYXOyVrFRozrzRkgtT48D0H5A=

        — audit.local/log/01890a5d-ac96-774b-bcce-b302099a8057 \
        4PK0cnUwwnRSeQYWhAPpyzqu3fedxYmFBS8JiiT3rD9LDohSCQ6/BJs3304GWrdirI6GIJTksYbKeaj9RclnALtBOgw=
        — witness.example \
        tC183QAAAABrSdIA1NFOfxJLE9CnwzTP30S/wsii13FwzKh/C8tAQPDDuR45QPG2CJmUgaqmVWJ30qcioBeZIzt+nsDtpjtxrc9HBQ==

        """

    @Test func everyValueOfTheExampleIsReproduced() throws {
        let logKey = try Ed25519PrivateKey(rawRepresentation: Self.logSeed)
        let witnessKey = try Ed25519PrivateKey(rawRepresentation: Self.witnessSeed)
        let origin = TlogCheckpoint.origin(logID: Self.logID)
        let leaves = try Self.chain.map { MerkleTree.leafHash(try #require(Digest(hex: $0)).rawBytes) }
        #expect(
            ChainHash.genesis(logID: Self.logID).hex
                == "a78756c313195e1845fe0aeb63543d5315ee4eaf52b44ba134a5feca9fbb94a4")
        #expect(
            leaves.map(\.hex) == [
                "c67dfc21b894685ed472f6d21c0301894e7afc78986df935eedb87de61522a58",
                "3b57bcf0e73fee65d62c3fce0b5ecf77fe69b7602fea98ffa39b0d1d54f504fa",
            ])
        let root = MerkleTree.root(leafHashes: leaves)
        #expect(root.hex == "a34c277c4a1501e3bccd344c976ad85cec95ac5468cebcd1920b53e3c0f41f90")
        let signer = try NoteSigner(name: origin, privateKey: logKey)
        #expect(
            signer.verifierKey.description
                == "audit.local/log/01890a5d-ac96-774b-bcce-b302099a8057+e0f2b472+AXm1Vi6P5lT5QHixEuipi6eQH4U65pW+1+DjkQutBJZk"
        )
        let witness = try NoteSigner(name: "witness.example", type: .cosignatureV1, privateKey: witnessKey)
        #expect(
            witness.verifierKey.description == "witness.example+b42d7cdd+BOfxYqEL7FWa/qGV5NzoS2lWjV0ssJY+tEbAaF4rF/Lw")
        let checkpoint = TlogCheckpoint(origin: origin, size: 2, root: root)
        var note = SignedNote(text: checkpoint.text)
        note.sign(with: signer)
        note.signatures.append(
            Cosignature.sign(checkpointText: checkpoint.text, timestamp: 1_800_000_000, with: witness))
        #expect(note.serialized == Self.note)
        let parsed = try SignedNote(parsing: Array(Self.note.utf8))
        #expect(try parsed.verify([signer.verifierKey]) == [signer.verifierKey])
        #expect(
            Cosignature.verify(parsed.signatures[1], text: parsed.text, key: witness.verifierKey)?.timestamp
                == 1_800_000_000)
        let proof = TlogProof(
            extra: try #require(Digest(hex: Self.chain[0])).rawBytes, index: 0, hashes: [leaves[1]], checkpoint: note)
        #expect(
            proof.text.hasPrefix(
                "c2sp.org/tlog-proof@v1\nextra X56L1dLmwEy753t8KsWeSf5bLxxYs+ehwubCHV2MGgE=\nindex 0\nO1e88Oc/7mXWLD/OC17Pd/5pt2Av6pj/o5sNHVT1BPo=\n\n"
            ))
        #expect(try TlogProof(parsing: Array(proof.text.utf8)) == proof)
    }
}
