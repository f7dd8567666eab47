import AuditCore
import AuditCrypto
import AuditTestSupport
import Foundation
import Testing

@testable import AuditLog

/// The log's witness tables (migration 0004) and the consistency proofs `audit witness submit` sends.
@Suite struct WitnessTableTests {
    func witnessKey(_ name: String = "witness.test/w") throws -> NoteVerifierKey {
        try NoteVerifierKey(name: name, type: .cosignatureV1, publicKey: try Ed25519PrivateKey.generate().publicKey)
    }

    @Test func consistencyProofsTakeEveryEarlierCheckpointToTheCurrentOne() throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteEventStore.create(at: directory.path("log.db"))
        var earlier: [Checkpoint] = [try store.checkpoint()]
        for _ in 0..<7 {
            _ = try store.append(draft())
            earlier.append(try store.checkpoint())
        }
        let (current, proofs) = try store.consistencyProofs(from: earlier.map(\.size) + [99])
        #expect(current == (try store.checkpoint()))
        for old in earlier {
            let proof = try #require(proofs[old.size] ?? nil)
            #expect(
                MerkleTree.verifyConsistency(
                    oldSize: Int(old.size), newSize: Int(current.size), oldRoot: old.root, newRoot: current.root,
                    proof: proof))
        }
        #expect(proofs[99] == .some(nil))
    }

    @Test func witnessesAreAddedListedMovedAndRemovedKeepingTheirCosignatures() throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteEventStore.create(at: directory.path("log.db"))
        let key = try witnessKey()
        try store.addWitness(LogWitness(key: key, url: "http://127.0.0.1:1"))
        #expect(try store.witnesses() == [LogWitness(key: key, url: "http://127.0.0.1:1", cosignedSize: nil)])
        #expect(throws: AuditLogError.self) { try store.addWitness(LogWitness(key: key, url: "http://other")) }
        let logKey = try NoteVerifierKey(name: store.origin, publicKey: try Ed25519PrivateKey.generate().publicKey)
        #expect(
            SysExit.of(catching { try store.addWitness(LogWitness(key: logKey, url: "http://x")) }) == .invalidInput)

        _ = try store.append(draft())
        let checkpoint = try store.checkpoint()
        let text = TlogCheckpoint(origin: store.origin, size: checkpoint.size, root: checkpoint.root).text
        let note = SignedNote(text: text, signatures: [NoteSignature(name: key.name, keyID: key.keyID, bytes: [1])])
        try store.recordCosigned(
            CosignedCheckpoint(witness: key, size: 1, root: checkpoint.root, cosignedAt: 1_700_000_000, note: note))
        #expect(try store.witnesses().map(\.cosignedSize) == [1])
        try store.setWitnessSize(named: key.name, size: 0)
        #expect(try store.witnesses().map(\.cosignedSize) == [0])

        try store.removeWitness(named: key.name)
        #expect(try store.witnesses().isEmpty)
        #expect(SysExit.of(catching { try store.removeWitness(named: key.name) }) == .notFound)
        let kept = try store.cosignedCheckpoints()
        #expect(kept.map(\.size) == [1])
        #expect(kept.first?.note == note)
        #expect(kept.first?.cosignedAt == 1_700_000_000)
    }

    /// The error `body` throws; a test that expected none fails on the returned `.success`.
    func catching(_ body: () throws -> Void) -> any Error {
        do {
            try body()
            return PresentedFailure(.success, "no error")
        } catch { return error }
    }
}
