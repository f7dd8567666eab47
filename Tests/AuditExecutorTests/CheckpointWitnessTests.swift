import AuditCore
import AuditCrypto
import AuditDomain
import AuditLog
import AuditTestSupport
import Foundation
import Testing

@testable import AuditExecutor

/// An in-process witness: each call is announced on `entered`; with `holding`, it waits for `release()`.
final class FakeSubmitter: CheckpointSubmitter, @unchecked Sendable {
    let witness: LogWitness
    let holding: Bool
    /// nil: cosign the log's current checkpoint; else fail with this.
    let failure: PresentedFailure?
    let entered: AsyncStream<Int>
    private let announce: AsyncStream<Int>.Continuation
    private let lock = NSLock()
    private var gates: [CheckedContinuation<Void, Never>] = []
    private var count = 0

    init(holding: Bool = false, failure: PresentedFailure? = nil) throws {
        witness = LogWitness(
            key: try NoteVerifierKey(
                name: "witness.test/w", type: .cosignatureV1, publicKey: try Ed25519PrivateKey.generate().publicKey),
            url: "http://127.0.0.1:1")
        self.holding = holding
        self.failure = failure
        (entered, announce) = AsyncStream.makeStream(of: Int.self)
    }

    var calls: Int { lock.withLock { count } }

    /// Lets the oldest held call return.
    func release() {
        let gate = lock.withLock { gates.isEmpty ? nil : gates.removeFirst() }
        gate?.resume()
    }

    /// Lets every held call return, so no test leaves a call waiting.
    func releaseAll() {
        let held = lock.withLock {
            defer { gates = [] }
            return gates
        }
        for gate in held { gate.resume() }
    }

    func submit(store: SQLiteEventStore, key: Ed25519PrivateKey) async throws -> [WitnessOutcome] {
        let checkpoint = try store.checkpoint()
        let call = lock.withLock {
            count += 1
            return count
        }
        if holding {
            // Ignores cancellation on purpose: a witness that never answers must not hold the run either way.
            await withCheckedContinuation { (gate: CheckedContinuation<Void, Never>) in
                lock.withLock { gates.append(gate) }
                announce.yield(call)
            }
        } else {
            announce.yield(call)
        }
        if let failure { return [WitnessOutcome(witness: witness, result: .failure(failure))] }
        let text = TlogCheckpoint(origin: store.origin, size: checkpoint.size, root: checkpoint.root).text
        let cosigned = CosignedCheckpoint(
            witness: witness.key, size: checkpoint.size, root: checkpoint.root, cosignedAt: 1,
            note: SignedNote(text: text, signatures: []))
        return [WitnessOutcome(witness: witness, result: .success(cosigned))]
    }
}

@Suite struct CheckpointWitnessTests {
    func makeStore(_ directory: borrowing TemporaryDirectory) throws -> SQLiteEventStore {
        let store = try SQLiteEventStore.create(at: directory.path("log.db"))
        try append(store)
        return store
    }

    func append(_ store: SQLiteEventStore) throws {
        _ = try store.append(EventDraft(site: "s", type: "reading.taken", data: ["n": 1], actor: "test"))
    }

    @Test func stepsThatCompleteDuringASubmissionAreCoveredByOneMore() async throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        let submitter = try FakeSubmitter(holding: true)
        defer { submitter.releaseAll() }
        let output = BufferSink()
        let witness = CheckpointWitness(
            submitter: submitter, store: store, key: try Ed25519PrivateKey.generate(), notices: output)
        var entered = submitter.entered.makeAsyncIterator()

        witness.stepCompleted()
        #expect(await entered.next() == 1)
        // Three steps complete while the first submission waits for its witness: one more is owed, not three.
        try append(store)
        for _ in 0..<3 { witness.stepCompleted() }
        #expect(submitter.calls == 1)
        #expect(witness.isSubmitting)
        submitter.release()
        #expect(await entered.next() == 2)
        submitter.release()
        let summary = await witness.finish(within: .seconds(30))
        #expect(submitter.calls == 2)
        #expect(!witness.isSubmitting)
        #expect(summary == "witnessed: size 2 cosigned by witness.test/w")
        #expect(output.text.isEmpty)
    }

    @Test func theEndSubmitsWhatTheLastSubmissionDidNotCover() async throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        let submitter = try FakeSubmitter()
        let witness = CheckpointWitness(
            submitter: submitter, store: store, key: try Ed25519PrivateKey.generate(), notices: BufferSink())
        var entered = submitter.entered.makeAsyncIterator()
        witness.stepCompleted()
        #expect(await entered.next() == 1)
        // procedure.completed follows the last step.completed: the end covers it.
        try append(store)
        try append(store)
        let summary = await witness.finish(within: .seconds(30))
        #expect(submitter.calls == 2)
        #expect(summary == "witnessed: size 3 cosigned by witness.test/w")
    }

    @Test func aRunThatSubmittedNothingSaysNothing() async throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        let submitter = try FakeSubmitter()
        let output = BufferSink()
        let witness = CheckpointWitness(
            submitter: submitter, store: store, key: try Ed25519PrivateKey.generate(), notices: output)
        #expect(await witness.finish(within: .seconds(1)) == nil)
        #expect(submitter.calls == 0)
        #expect(output.text.isEmpty)
    }

    @Test func anUnreachableWitnessIsOneLineForTheWholeRun() async throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        let submitter = try FakeSubmitter(
            failure: PresentedFailure(.ioError, "witness witness.test/w is unreachable: connection refused"))
        let output = BufferSink()
        let witness = CheckpointWitness(
            submitter: submitter, store: store, key: try Ed25519PrivateKey.generate(), notices: output)
        var entered = submitter.entered.makeAsyncIterator()
        for round in 1...4 {
            try append(store)
            witness.stepCompleted()
            #expect(await entered.next() == round)
        }
        let summary = await witness.finish(within: .seconds(30))
        #expect(submitter.calls == 4)
        let lines = output.text.split(separator: "\n")
        #expect(lines.count == 1, "\(output.text)")
        #expect(lines.first?.hasPrefix("witness witness.test/w is unreachable: connection refused;") == true)
        #expect(output.text.contains("`audit witness submit` catches up"))
        #expect(summary?.hasPrefix("not witnessed: witness.test/w unreachable;") == true, "\(summary ?? "nil")")
    }

    /// The time limit is the failure bound: without the 200 ms bound `finish` would never return, as the held
    /// submission never does; a wall-clock assertion here failed only on a loaded CI machine, never on a defect.
    @Test(.timeLimit(.minutes(2))) func theEndWaitsForASubmissionThatNeverReturnsOnlyUntilTheBound() async throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        let submitter = try FakeSubmitter(holding: true)
        defer { submitter.releaseAll() }
        let witness = CheckpointWitness(
            submitter: submitter, store: store, key: try Ed25519PrivateKey.generate(), notices: BufferSink())
        var entered = submitter.entered.makeAsyncIterator()
        witness.stepCompleted()
        #expect(await entered.next() == 1)
        let started = ContinuousClock.now
        let summary = await witness.finish(within: .milliseconds(200))
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .milliseconds(200))
        #expect(summary?.hasPrefix("not witnessed: a submission was still running at the end;") == true)
        #expect(submitter.calls == 1)
    }

    /// A witness that never answers: the run still ends (the time limit fails a run that waits for it), the log
    /// complete and intact.
    @Test(.timeLimit(.minutes(5))) func aWitnessThatNeverAnswersDoesNotHoldTheRun() async throws {
        let directory = try TemporaryDirectory()
        let logPath = directory.path("audit.db")
        let store = try SQLiteEventStore.create(at: logPath)
        let submitter = try FakeSubmitter(holding: true)
        defer { submitter.releaseAll() }
        try store.addWitness(submitter.witness)
        let key = try Ed25519PrivateKey.generate()
        let keyFiles = try KeyFiles.write(privateKey: key, to: URL(fileURLWithPath: directory.path("keys")))
        let image = directory.path("image.bin")
        try Data("firmware".utf8).write(to: URL(fileURLWithPath: image))
        var request = RunRequest(
            site: "site-1", logPath: logPath, imagePath: image, targetVersion: "4007", actor: "test-technician")
        request.transport = .sim
        request.simStacks = 1
        request.witnessing = RunWitnessing(
            submitter: submitter, keyPath: keyFiles.privateKey.path, endWait: .milliseconds(300))
        let output = BufferSink()
        let launcher = RunLauncher(output: output, outputIsTerminal: false, inputIsTerminal: false)

        let result = try await launcher.launch(request)

        #expect(!result.failed)
        // The first step's submission never returned: every later step was coalesced into one owed submission.
        #expect(submitter.calls == 1)
        #expect(try store.events(site: "site-1").last?.type == "procedure.completed")
        #expect(try store.verify().isIntact)
        let last = try #require(output.text.split(separator: "\n").last.map(String.init))
        #expect(last.hasPrefix("not witnessed: a submission was still running at the end;"), "\(last)")
    }

    @Test func withoutAKeyTheRunSaysOnceThatItIsNotWitnessed() async throws {
        let directory = try TemporaryDirectory()
        let logPath = directory.path("audit.db")
        let store = try SQLiteEventStore.create(at: logPath)
        let submitter = try FakeSubmitter()
        try store.addWitness(submitter.witness)
        let image = directory.path("image.bin")
        try Data("firmware".utf8).write(to: URL(fileURLWithPath: image))
        var request = RunRequest(
            site: "site-1", logPath: logPath, imagePath: image, targetVersion: "4007", actor: "test-technician")
        request.transport = .sim
        request.simStacks = 1
        request.witnessing = RunWitnessing(submitter: submitter, keyPath: directory.path("missing.pem"))
        let output = BufferSink()
        let result = try await RunLauncher(output: output, outputIsTerminal: false, inputIsTerminal: false)
            .launch(request)
        #expect(!result.failed)
        #expect(submitter.calls == 0)
        let notices = output.text.split(separator: "\n").filter { $0.contains("witness") }
        #expect(notices.count == 1, "\(notices)")
        #expect(notices.first?.hasPrefix("checkpoints will not be witnessed: the signing key cannot be read") == true)
        #expect(notices.first?.contains("missing.pem") == true)
    }
}
