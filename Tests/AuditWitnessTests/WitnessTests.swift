import AuditCore
import AuditCrypto
import AuditLog
import AuditTestSupport
import AuditWitness
import Foundation
import Testing

/// A log in memory: leaves, its signer under its origin, and the add-checkpoint bodies it would send.
struct TestLog {
    let origin: String
    let signer: NoteSigner
    var leaves: [Digest] = []

    init(origin: String = "audit.local/log/\(UUID().uuidString.lowercased())") throws {
        self.origin = origin
        signer = try NoteSigner(name: origin, privateKey: try Ed25519PrivateKey.generate())
    }

    var trusted: TrustedLog { get throws { try TrustedLog(origin: origin, key: signer.verifierKey) } }

    mutating func append(_ count: Int) {
        for _ in 0..<count { leaves.append(MerkleTree.leafHash(Array("leaf \(leaves.count)".utf8))) }
    }

    func note(size: Int? = nil, signer other: NoteSigner? = nil) -> SignedNote {
        let size = size ?? leaves.count
        let checkpoint = TlogCheckpoint(
            origin: origin, size: Int64(size), root: MerkleTree.root(leafHashes: Array(leaves.prefix(size))))
        var note = SignedNote(text: checkpoint.text)
        note.sign(with: other ?? signer)
        return note
    }

    func body(old: Int, size: Int? = nil) throws -> [UInt8] {
        let size = size ?? leaves.count
        let proof = try MerkleTree.consistencyProof(oldSize: old, newSize: size, leafHashes: leaves)
        return Array(WitnessProtocol.AddCheckpoint(oldSize: Int64(old), proof: proof, note: note(size: size)).body.utf8)
    }
}

func makeWitness(_ state: any WitnessStateStore, time: UInt64 = 1_700_000_000) throws -> Witness {
    let key = try Ed25519PrivateKey.generate()
    let signer = try NoteSigner(name: "witness.test/\(key.keyID)", type: .cosignatureV1, privateKey: key)
    return try Witness(signer: signer, state: state, now: { time })
}

func refusal(_ body: () throws -> String) -> WitnessError? {
    do {
        _ = try body()
        return nil
    } catch let error as WitnessError { return error } catch { return .storage("unexpected \(error)") }
}

@Suite struct WitnessTests {
    @Test func cosignsAndExtendsWithARealConsistencyProof() throws {
        var log = try TestLog()
        let state = InMemoryWitnessState()
        try state.trust(log.trusted)
        let witness = try makeWitness(state)
        log.append(5)
        let first = try witness.addCheckpoint(body: try log.body(old: 0))
        let signatures = try WitnessProtocol.parseCosignatures(Array(first.utf8))
        #expect(signatures.count == 1)
        let cosigned = try #require(
            Cosignature.verify(signatures[0], text: log.note().text, key: witness.signer.verifierKey))
        #expect(cosigned.timestamp == 1_700_000_000)
        log.append(6)
        let second = try witness.addCheckpoint(body: try log.body(old: 5))
        let line = try #require(try WitnessProtocol.parseCosignatures(Array(second.utf8)).first)
        #expect(Cosignature.verify(line, text: log.note().text, key: witness.signer.verifierKey) != nil)
        let tree = try #require(try state.tree(origin: log.origin))
        #expect(tree.size == 11)
        #expect(tree.root == MerkleTree.root(leafHashes: log.leaves))
        let served = try #require(
            try witness.latestCheckpoint(originHash: SHA256.hash(Array(log.origin.utf8)).hex))
        let note = try SignedNote(parsing: Array(served.utf8))
        #expect(try note.verify([log.signer.verifierKey]) == [log.signer.verifierKey])
        #expect(note.signatures.count == 2)
    }

    @Test func refusalsCarryTheirStatusAndChangeNothing() throws {
        var log = try TestLog()
        let state = InMemoryWitnessState()
        try state.trust(log.trusted)
        let witness = try makeWitness(state)
        log.append(4)
        _ = try witness.addCheckpoint(body: try log.body(old: 0))
        log.append(3)

        let stale = refusal { try witness.addCheckpoint(body: try log.body(old: 0)) }
        #expect(stale == .sizeMismatch(current: 4))
        #expect(stale?.httpStatus == 409)
        #expect(stale?.responseBody == "4\n")
        #expect(stale?.contentType == "text/x.tlog.size")

        let proof = try MerkleTree.consistencyProof(oldSize: 4, newSize: 7, leafHashes: log.leaves)
        var forged = log.note()
        forged.signatures[0].bytes[0] ^= 0x01
        let badSignature = refusal {
            try witness.addCheckpoint(
                body: Array(WitnessProtocol.AddCheckpoint(oldSize: 4, proof: proof, note: forged).body.utf8))
        }
        #expect(badSignature?.httpStatus == 403)
        let impostor = try NoteSigner(name: log.origin, privateKey: try Ed25519PrivateKey.generate())
        let unsigned = refusal {
            try witness.addCheckpoint(
                body: Array(
                    WitnessProtocol.AddCheckpoint(oldSize: 4, proof: proof, note: log.note(signer: impostor)).body.utf8)
            )
        }
        #expect(unsigned == .badLogSignature(NoteError.noKnownSignature.message))

        let stranger = try TestLog()
        let unknown = refusal { try witness.addCheckpoint(body: try stranger.body(old: 0, size: 0)) }
        #expect(unknown == .unknownOrigin(stranger.origin))
        #expect(unknown?.httpStatus == 404)
        #expect(unknown?.exitStatus == .notFound)

        let wrongProof = WitnessProtocol.AddCheckpoint(
            oldSize: 4, proof: [MerkleTree.emptyRoot, MerkleTree.emptyRoot], note: log.note())
        let unproven = refusal { try witness.addCheckpoint(body: Array(wrongProof.body.utf8)) }
        #expect(unproven == .proofDoesNotVerify)
        #expect(unproven?.httpStatus == 422)

        for body in ["", "old 4\n", "old -1\n\nx", "old 04\n\n", "new 4\n\n", "old 4\nnot base64!\n\n"] {
            let malformed = refusal { try witness.addCheckpoint(body: Array(body.utf8)) }
            #expect(malformed?.httpStatus == 400, "\(body.debugDescription)")
            #expect(malformed?.exitStatus == .invalidInput)
        }
        let huge = [UInt8](repeating: 0x41, count: WitnessProtocol.maximumBodySize + 1)
        #expect(refusal { try witness.addCheckpoint(body: huge) } == .tooLarge(limit: WitnessProtocol.maximumBodySize))

        #expect(try state.tree(origin: log.origin)?.size == 4)
    }

    @Test func neverCosignsAForkOfTheSameSizeOrASmallerTree() throws {
        var log = try TestLog()
        let state = InMemoryWitnessState()
        try state.trust(log.trusted)
        let witness = try makeWitness(state)
        log.append(6)
        _ = try witness.addCheckpoint(body: try log.body(old: 0))
        var fork = log
        fork.leaves[2] = MerkleTree.leafHash(Array("edited".utf8))
        // The fork's same-size checkpoint: no proof can make two roots of one size consistent.
        let sameSize = refusal {
            try witness.addCheckpoint(
                body: Array(WitnessProtocol.AddCheckpoint(oldSize: 6, proof: [], note: fork.note()).body.utf8))
        }
        #expect(sameSize == .sizeMismatch(current: 6))
        fork.append(2)
        let extended = refusal { try witness.addCheckpoint(body: try fork.body(old: 6)) }
        #expect(extended == .proofDoesNotVerify)
        let smaller = refusal {
            try witness.addCheckpoint(
                body: Array(WitnessProtocol.AddCheckpoint(oldSize: 6, proof: [], note: log.note(size: 3)).body.utf8))
        }
        #expect(smaller?.httpStatus == 400)
        #expect(try state.tree(origin: log.origin)?.root == MerkleTree.root(leafHashes: log.leaves))
    }

    @Test func sqliteStateSurvivesReopeningAndRefusesTheFork() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("witness.sqlite")
        var log = try TestLog()
        let key = try Ed25519PrivateKey.generate()
        let signer = try NoteSigner(name: "witness.test/w", type: .cosignatureV1, privateKey: key)
        do {
            let state = try SQLiteWitnessState(path: path)
            try state.trust(log.trusted)
            log.append(3)
            _ = try Witness(signer: signer, state: state).addCheckpoint(body: try log.body(old: 0))
        }
        let reopened = try SQLiteWitnessState(path: path)
        #expect(try reopened.trustedLogs() == [try log.trusted])
        #expect(try reopened.tree(origin: log.origin)?.size == 3)
        let witness = try Witness(signer: signer, state: reopened)
        var fork = log
        fork.leaves[0] = MerkleTree.leafHash(Array("edited".utf8))
        fork.append(1)
        #expect(refusal { try witness.addCheckpoint(body: try fork.body(old: 0)) } == .sizeMismatch(current: 3))
        #expect(refusal { try witness.addCheckpoint(body: try fork.body(old: 3)) } == .proofDoesNotVerify)
        log.append(1)
        _ = try witness.addCheckpoint(body: try log.body(old: 3))
        #expect(try SQLiteWitnessState(path: path).tree(origin: log.origin)?.size == 4)
        #expect(try reopened.tree(origin: "audit.local/log/none") == nil)
    }

    @Test func trustRefusesAKeyNotNamedAfterTheOrigin() throws {
        let log = try TestLog()
        #expect(throws: WitnessError.self) { try TrustedLog(origin: "other", key: log.signer.verifierKey) }
    }
}
