import AuditDomain
import AuditLog
import Foundation

/// The run's view of the log: every answer is appended before the run moves on, and folded at once so the next
/// question sees it. Lives inside one run task only.
final class RunSession {
    let settings: RunSettings
    let store: any EventStore
    let clock: any AuditClock
    private(set) var fold: SiteFold
    /// The last observation asked and recorded in this run, so `back` can ask it again.
    var lastAnswered: Answered?
    /// The answers `back` recorded as corrections, by the seq they correct: what the run now takes as observed.
    var corrected: [Int64: Answer] = [:]

    /// An observation `back` can correct: the question as asked, and the seq a correction of it names.
    struct Answered {
        var prompt: Prompt
        /// The first recording's seq, even once corrected: a correction names the original, never a correction.
        var corrects: Int64
        var stack: String?
    }

    /// Rebuilds the site from the log alone: the log, not memory, says where a resumed run stands.
    init(settings: RunSettings, store: any EventStore, clock: any AuditClock) throws(RunError) {
        self.settings = settings
        self.store = store
        self.clock = clock
        var fold = SiteFold(site: settings.site)
        do {
            for event in try store.events(site: settings.site) { try fold.apply(event) }
        } catch let error as AuditLogError {
            throw .log(error)
        } catch let error as DomainError {
            throw .domain(error)
        } catch {
            throw .log(.database("\(error)"))
        }
        self.fold = fold
    }

    var state: SiteState { fold.state }

    /// Appends one event observed now, stamped from the run's clock, and folds it; returns its seq. With
    /// `correcting`, the event supersedes the one it names.
    @discardableResult
    func record(
        _ event: DomainEvent, stack: String? = nil, correcting: CorrectionMark? = nil
    ) throws(RunError) -> Int64 {
        let observedAt = clock.now()
        let draft = event.draft(
            site: settings.site, stack: stack, observedAt: observedAt, actor: settings.actor, correcting: correcting)
        let result: AppendResult
        do { result = try SiteLog(store).append(draft) } catch { throw .log(error) }
        fold.apply(event, stack: stack, seq: result.seq, at: observedAt, actor: settings.actor, correcting: correcting)
        return result.seq
    }

    /// Folds an event another writer of this run (the push progress callback) already appended.
    func fold(_ event: DomainEvent, stack: String?, seq: Int64, at: Timestamp) {
        fold.apply(event, stack: stack, seq: seq, at: at)
    }

    /// The registered stacks in chain order, master first.
    var stacks: [StackState] { state.stacks.filter { $0.order != nil } }

    func stack(_ id: String) -> StackState? { state.stack(id) }

    var pins: (addr: Int, inv: Int) { (state.model?.addrPins ?? 6, state.model?.invPins ?? 6) }

    func pinCount(_ bank: DIPBank) -> Int { bank == .addr ? pins.addr : pins.inv }
}
