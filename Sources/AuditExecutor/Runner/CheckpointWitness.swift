import AuditCore
import AuditCrypto
import AuditLog
import Foundation

/// What `audit run` is given to have the log's checkpoints witnessed while it runs.
public struct RunWitnessing: Sendable {
    public var submitter: any CheckpointSubmitter
    /// The signing key's PEM; read only when witnesses are configured, and a missing one only costs a notice.
    public var keyPath: String
    /// How long the end of the run waits for a submission still in flight: offline must not hold the technician.
    public var endWait: Duration

    public init(submitter: any CheckpointSubmitter, keyPath: String, endWait: Duration = .seconds(2)) {
        self.submitter = submitter
        self.keyPath = keyPath
        self.endWait = endWait
    }
}

/// Submits the log's checkpoint to its witnesses in the background of a run: the questions never wait for it, at
/// most one submission is in flight, and the steps that complete meanwhile are covered by one more submission.
///
/// A lock, not an actor: `stepCompleted` is called from the run's synchronous recording path and must return at
/// once. Failures never fail the run; each witness's first failure is one notice line, the end one summary line.
public final class CheckpointWitness: @unchecked Sendable {
    let submitter: any CheckpointSubmitter
    let store: SQLiteEventStore
    let key: Ed25519PrivateKey
    let notices: any TextSink

    private let lock = NSLock()
    private var running: Task<Void, Never>?
    /// A step completed while a submission was in flight: one more submission is owed when it ends.
    private var due = false
    /// The log's size when the latest submission read it; nil before the first.
    private var submittedSize: Int64?
    /// Each witness's latest outcome in this run, in the order the submitter reported them.
    private var latest: [(name: String, result: Result<Int64, PresentedFailure>)] = []
    /// Why the latest submission stopped for every witness at once (the log unreadable, no witness left).
    private var wholeFailure: String?
    /// The witnesses (and "" for a whole failure) whose failure has been printed: one line each per run.
    private var noticed: Set<String> = []
    private var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]

    public init(
        submitter: any CheckpointSubmitter, store: SQLiteEventStore, key: Ed25519PrivateKey, notices: any TextSink
    ) {
        self.submitter = submitter
        self.store = store
        self.key = key
        self.notices = notices
    }

    /// Starts a submission, or marks one as owed when one is in flight; returns at once.
    public func stepCompleted() {
        lock.withLock {
            if running != nil {
                due = true
            } else {
                running = Task { await self.loop() }
            }
        }
    }

    /// Whether a submission is in flight now.
    public var isSubmitting: Bool { lock.withLock { running != nil } }

    /// Ends the run's witnessing: submits what the last submission did not cover, waits at most `bound` for it,
    /// cancels what is still in flight, and returns the one summary line (nil when this run submitted nothing).
    public func finish(within bound: Duration) async -> String? {
        let behind: Bool
        do {
            let size = try store.head().size
            behind = lock.withLock { submittedSize.map { $0 < size } ?? false }
        } catch {
            // The run's check reads the log next and reports what is wrong with it; witnessing just stops here.
            behind = false
        }
        if behind { stepCompleted() }
        let settled = await waitForIdle(within: bound)
        if !settled { cancel() }
        return lock.withLock { summaryLocked(settled: settled) }
    }

    /// Stops the submission in flight, if any, and owes none: for a run that ends on an error.
    public func cancel() {
        let task = lock.withLock {
            due = false
            return running
        }
        task?.cancel()
    }

    private func loop() async {
        while true {
            await submitOnce()
            let (again, woken) = lock.withLock { () -> (Bool, [CheckedContinuation<Void, Never>]) in
                if due, !Task.isCancelled {
                    due = false
                    return (true, [])
                }
                due = false
                running = nil
                let woken = Array(waiters.values)
                waiters = [:]
                return (false, woken)
            }
            for waiter in woken { waiter.resume() }
            if !again { return }
        }
    }

    private func submitOnce() async {
        do {
            let size = try store.head().size
            lock.withLock { submittedSize = size }
            let outcomes = try await submitter.submit(store: store, key: key)
            for outcome in outcomes { record(outcome) }
            lock.withLock { wholeFailure = nil }
        } catch {
            let message = oneLineMessage(error)
            lock.withLock { wholeFailure = message }
            noticeOnce("", "checkpoints not witnessed: \(message)")
        }
    }

    private func record(_ outcome: WitnessOutcome) {
        let name = outcome.witness.name
        let result = outcome.result.map(\.size)
        lock.withLock {
            if let index = latest.firstIndex(where: { $0.name == name }) {
                latest[index].result = result
            } else {
                latest.append((name, result))
            }
        }
        if case .failure(let failure) = outcome.result {
            noticeOnce(name, "\(failure.message); the checkpoints stay in the log, `audit witness submit` catches up")
        }
    }

    private func noticeOnce(_ key: String, _ line: String) {
        let first = lock.withLock { noticed.insert(key).inserted }
        if first { notices.write(line.replacingOccurrences(of: "\n", with: " ") + "\n") }
    }

    /// True when no submission is in flight any more, false when `bound` passed first.
    private func waitForIdle(within bound: Duration) async -> Bool {
        let id = UUID()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let registered = lock.withLock {
                guard running != nil else { return false }
                waiters[id] = continuation
                return true
            }
            guard registered else { return continuation.resume() }
            // The timer is its own task: the submission may never return, and nothing here may wait for it.
            Task {
                do { try await Task.sleep(for: bound) } catch { return }
                let waiter = self.lock.withLock { self.waiters.removeValue(forKey: id) }
                waiter?.resume()
            }
        }
        return lock.withLock { running == nil }
    }

    private func summaryLocked(settled: Bool) -> String? {
        guard submittedSize != nil else { return nil }
        let still = settled ? "" : " (a submission was still running at the end; `audit witness submit` catches up)"
        var cosigned: [Int64: [String]] = [:]
        var failed: [String] = []
        for (name, result) in latest {
            switch result {
            case .success(let size): cosigned[size, default: []].append(name)
            case .failure(let failure):
                failed.append("\(name) \(failure.exitStatus == .ioError ? "unreachable" : "refused")")
            }
        }
        if cosigned.isEmpty {
            let why =
                failed.isEmpty
                ? (settled ? (wholeFailure ?? "no witness answered") : "a submission was still running at the end")
                : failed.joined(separator: ", ")
            return "not witnessed: \(why); the checkpoints stay in the log, `audit witness submit` catches up"
        }
        let parts = cosigned.keys.sorted(by: >).map { size in
            "size \(size) cosigned by \(cosigned[size, default: []].joined(separator: ", "))"
        }
        let others = failed.isEmpty ? "" : "; not witnessed by " + failed.joined(separator: ", ")
        return "witnessed: " + parts.joined(separator: "; ") + others + still
    }
}
