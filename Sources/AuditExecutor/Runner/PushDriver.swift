import AuditCrypto
import AuditDomain
import AuditLog
import Foundation

/// Pushes the image to one stack: the intent is on record before the transport runs, the outcome after; a push
/// left without outcome by an interruption is settled by reading the version back, never silently repeated.
struct PushDriver {
    let walker: StepWalker

    private var runner: ProcedureRunner { walker.runner }
    private var session: RunSession { walker.session }
    private var target: String { runner.settings.targetVersion }

    func push(_ stack: String) async throws(RunError) {
        if session.stack(stack)?.pushStatus == .inFlight { try await settleInterrupted(stack) }
        if let last = session.stack(stack)?.pushes.last, let version = last.completed?.value {
            runner.say("  \(stack): already pushed (reads \(version)).")
            return
        }
        for tried in 1...max(1, runner.settings.maxPushAttempts) {
            if try await attempt(stack) { return }
            if tried < runner.settings.maxPushAttempts { runner.say("  \(stack): trying the push again.") }
        }
        walker.warn("the push to \(stack) failed \(runner.settings.maxPushAttempts) times: the check will fail")
    }

    /// Reads the version of a stack whose push outcome is unknown and records what it proves.
    private func settleInterrupted(_ stack: String) async throws(RunError) {
        let version = try await readVersion(stack)
        if version == target {
            runner.say("  \(stack): the interrupted push had completed (reads \(target)).")
            try session.record(.pushCompleted(PushCompleted(version: target)), stack: stack)
            return
        }
        let reads = version ?? "nothing (no answer)"
        runner.say("  \(stack): the interrupted push did not complete (reads \(reads)).")
        try session.record(
            .pushFailed(PushFailed(reason: "outcome unknown after interruption; version reads \(reads)")), stack: stack)
        try await checkUnit(stack)
    }

    /// One attempt; true when the transfer completed (whatever version it reads back).
    private func attempt(_ stack: String) async throws(RunError) -> Bool {
        let attempt = (session.stack(stack)?.pushAttempts ?? 0) + 1
        let image = runner.settings.image
        try session.record(
            .pushStarted(
                PushStarted(
                    imageSHA256: image.sha256.hex, targetVersion: target, transport: runner.settings.transport.rawValue,
                    attempt: attempt)), stack: stack)
        let request = PushRequest(
            imagePath: image.path, imageSHA256: image.sha256, targetVersion: target, stack: stack,
            serial: session.stack(stack)?.serial ?? stack, attempt: attempt)
        // A manual push asks questions while it runs: a bar redrawn on the prompt's line would garble it.
        let manual = runner.settings.transport == .manual
        let bar = ProgressBar(
            label: "  \(stack)", output: manual ? NullSink() : runner.output, isTerminal: runner.outputIsTerminal)
        let progress = ProgressRecorder(
            store: session.store, site: runner.settings.site, stack: stack, actor: runner.settings.actor,
            clock: session.clock)
        let outcome: PushOutcome
        do {
            outcome = try await runner.transport.push(request) { percent in
                bar.update(percent)
                progress.update(percent)
            }
        } catch {
            try fold(progress)
            bar.finish("error: \(error)")
            try session.record(.pushFailed(PushFailed(reason: "transport error: \(error)")), stack: stack)
            try await settled(request)
            throw .transport(error)
        }
        try fold(progress)
        switch outcome {
        case .completed(let version, _, _, _):
            bar.finish("done, reads \(version)")
            if manual { runner.say("  \(stack): pushed, reads \(version)") }
            try session.record(.pushCompleted(PushCompleted(version: version)), stack: stack)
            try await settled(request)
            if version != target { walker.warn("\(stack) reads \(version) after the push, not \(target)") }
            return true
        case .failed(let reason, _, _, _):
            bar.finish("failed: \(reason)")
            try session.record(.pushFailed(PushFailed(reason: reason)), stack: stack)
            try await settled(request)
            try await checkUnit(stack)
            return false
        }
    }

    /// Tells the transport the push's outcome is recorded, so a simulated fault is spent only now.
    private func settled(_ request: PushRequest) async throws(RunError) {
        do { try await runner.transport.outcomeRecorded(request) } catch { throw .transport(error) }
    }

    private func fold(_ progress: ProgressRecorder) throws(RunError) {
        let (recorded, error) = progress.take()
        for entry in recorded {
            session.fold(
                .pushProgress(PushProgress(percent: entry.percent)), stack: entry.stack, seq: entry.seq, at: entry.at)
        }
        if let error { throw .log(error) }
    }

    /// After a failed push: is the unit on, what does it show, which version does it read (0000 if bricked)?
    private func checkUnit(_ stack: String) async throws(RunError) {
        runner.say("  Check \(stack) after the failed push.")
        if try await walker.observePower(stack) == .off {
            guard try await walker.observePower(stack, after: .powerOn(stack: stack)) == .on else { return }
        }
        let code = try await walker.observeLCD(stack)
        if code.isError { walker.warn("\(stack) shows \(code)") }
        try await walker.observeVersion(stack)
    }

    private func readVersion(_ stack: String) async throws(RunError) -> String? {
        do {
            return try await runner.transport.readVersion(stack: stack, serial: session.stack(stack)?.serial ?? stack)
        } catch {
            throw .transport(error)
        }
    }
}

/// Records `firmware.push_progress` at each 25% step from the transport's callback, while the push runs.
final class ProgressRecorder: @unchecked Sendable {
    struct Entry {
        var stack: String
        var percent: Int
        var seq: Int64
        var at: Timestamp
    }

    private let store: any EventStore
    private let site: String
    private let stack: String
    private let actor: String
    private let clock: any AuditClock
    private let lock = NSLock()
    private var lastQuarter = 0
    private var entries: [Entry] = []
    private var error: AuditLogError?

    init(store: any EventStore, site: String, stack: String, actor: String, clock: any AuditClock) {
        self.store = store
        self.site = site
        self.stack = stack
        self.actor = actor
        self.clock = clock
    }

    func update(_ percent: Int) {
        lock.withLock {
            let quarter = min(100, max(0, percent)) / 25
            guard quarter > lastQuarter, error == nil else { return }
            lastQuarter = quarter
            let at = clock.now()
            let event = DomainEvent.pushProgress(PushProgress(percent: percent))
            do {
                let draft = event.draft(site: site, stack: stack, observedAt: at, actor: actor)
                let result = try SiteLog(store).append(draft)
                entries.append(Entry(stack: stack, percent: percent, seq: result.seq, at: at))
            } catch {
                self.error = error as? AuditLogError ?? .database("\(error)")
            }
        }
    }

    /// The events recorded so far, to fold into the run's state, and the first append error if any.
    func take() -> ([Entry], AuditLogError?) {
        lock.withLock {
            defer { entries = [] }
            return (entries, error)
        }
    }
}
