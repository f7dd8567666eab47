import AuditLog

/// Folds one site's events into a `SiteState` one at a time: rebuild, live views and benchmarks share it.
/// A correction changes history, so the fold keeps the site's events and refolds them when one arrives.
public struct SiteFold: Sendable {
    public private(set) var state: SiteState
    /// The phase a site enters once a given step is completed, from the run's procedure.
    private var phaseAfterStep: [String: SitePhase] = [:]
    /// Every event of the site applied so far, in seq order.
    private var history: [Entry] = []
    /// The value each corrected seq has now: its latest correction's.
    private var replacements: [Int64: DomainEvent] = [:]

    /// One applied event, as the fold needs it to refold.
    struct Entry: Sendable {
        var event: DomainEvent
        var stack: String?
        var seq: Int64
        var at: Timestamp
        var recordedAt: Timestamp?
        var actor: String?
        var correction: CorrectionMark?
    }

    /// Off for a rebuild from a whole log: it refolds from the log instead when a correction shows up, so a log
    /// without corrections (nearly every one) costs nothing extra.
    private(set) var keepsHistory = true
    /// A correction arrived while the fold kept no history: its state is void and the caller must refold.
    private(set) var sawCorrection = false

    public init(site: String) { state = SiteState(site: site) }

    init(site: String, keepsHistory: Bool) {
        self.init(site: site)
        self.keepsHistory = keepsHistory
    }

    public var site: String { state.site }

    /// Applies a logged event; events of other sites are ignored so a whole interleaved log can be fed in.
    public mutating func apply(_ event: LoggedEvent) throws(DomainError) {
        try apply(
            site: event.site, stack: event.stack, type: event.type, payload: event.payload, seq: event.seq,
            at: event.observedAt, recordedAt: event.recordedAt, actor: event.actor)
    }

    /// The columns the fold reads. Loops pass them one by one: a whole `LoggedEvent` handed to a mutating
    /// call is copied first, retaining every field, which cost a quarter of the fold's time.
    mutating func apply(
        site: String, stack: String?, type: String, payload: String, seq: Int64, at: Timestamp,
        recordedAt: Timestamp?, actor: String?
    ) throws(DomainError) {
        guard site == state.site else { return }
        // A generic event (`audit append` of a type outside the vocabulary) is the site's, but no fact: the
        // report still embeds and lists it. The gate admits one only before a registration.
        guard EventType(rawValue: type) != nil else { return }
        let decoded: (event: DomainEvent, correction: CorrectionMark?)
        do { decoded = try DomainEvent.decodeMarked(type: type, stack: stack, payload: payload) } catch {
            throw .inEvent(seq: seq, error)
        }
        apply(
            decoded.event, stack: stack, seq: seq, at: at, recordedAt: recordedAt, actor: actor,
            correcting: decoded.correction)
    }

    /// Applies an already decoded event, e.g. one the executor has just appended. With `correcting`, the event
    /// supersedes the one it names: the state is refolded with its value in that event's place.
    public mutating func apply(
        _ event: DomainEvent, stack: String?, seq: Int64, at: Timestamp, recordedAt: Timestamp? = nil,
        actor: String? = nil, correcting: CorrectionMark? = nil
    ) {
        let entry = Entry(
            event: event, stack: stack, seq: seq, at: at, recordedAt: recordedAt, actor: actor, correction: correcting)
        if keepsHistory { history.append(entry) }
        guard let correcting else {
            var seen = replacementsSeen
            replacementsSeen = [:]
            step(entry, corrected: &seen)
            replacementsSeen = seen
            return
        }
        guard keepsHistory else {
            sawCorrection = true
            return
        }
        replacements[correcting.corrects] = event
        refold()
    }

    /// The event logged at `seq` at this site, as first recorded (nil for an unknown seq).
    func original(seq: Int64) -> (event: DomainEvent, stack: String?, correction: CorrectionMark?)? {
        guard let index = history.firstIndex(where: { $0.seq == seq }) else { return nil }
        return (history[index].event, history[index].stack, history[index].correction)
    }

    /// The values corrected seqs had so far in this pass, for the record of what each correction changed.
    private var replacementsSeen: [Int64: DomainEvent] = [:]

    /// Rebuilds the state from the history with every correction in place; the state as of completion is
    /// rebuilt without the late corrections, so a late entry's effect can be told.
    private mutating func refold() {
        let entries = history
        let all = replacements
        var fresh = SiteFold(site: state.site)
        fresh.replacements = all
        fresh.history = entries
        var seen: [Int64: DomainEvent] = [:]
        for entry in entries { fresh.step(entry, corrected: &seen) }
        if let completed = fresh.state.completedSeq,
            entries.contains(where: { $0.seq > completed && $0.correction != nil })
        {
            var early = SiteFold(site: state.site)
            early.history = entries
            for entry in entries where entry.seq <= completed {
                if let mark = entry.correction { early.replacements[mark.corrects] = entry.event }
            }
            var ignored: [Int64: DomainEvent] = [:]
            for entry in entries where entry.seq <= completed { early.step(entry, corrected: &ignored) }
            fresh.state.completionSnapshot = [early.state]
        }
        fresh.replacementsSeen = seen
        self = fresh
    }

    /// One event's effect on the state, with the corrected value in place of a superseded one.
    private mutating func step(_ entry: Entry, corrected seen: inout [Int64: DomainEvent]) {
        let seq = entry.seq
        state.eventCount += 1
        state.lastSeq = seq
        if state.isClosed, entry.event.type != .procedureReopened {
            state.lateEntries.append(
                LateEntry(seq: seq, type: entry.event.type, stack: entry.stack, corrects: entry.correction?.corrects))
        }
        if let mark = entry.correction {
            let target = history.first { $0.seq == mark.corrects } ?? entry
            state.corrections.append(
                Correction(
                    seq: seq, corrects: mark.corrects, type: entry.event.type, stack: entry.stack,
                    recorded: (seen[mark.corrects] ?? target.event).data, corrected: entry.event.data,
                    reason: mark.reason, actor: entry.actor, at: entry.at, recordedAt: entry.recordedAt))
            seen[mark.corrects] = entry.event
            return
        }
        let event = replacements[seq] ?? entry.event
        apply(event, stack: entry.stack, seq: seq, at: entry.at, recordedAt: entry.recordedAt)
    }

    private mutating func apply(_ event: DomainEvent, stack: String?, seq: Int64, at: Timestamp, recordedAt: Timestamp?)
    {
        switch event {
        case .siteRegistered(let payload): register(payload, seq: seq)
        case .procedureStarted(let payload): start(payload, seq: seq, at: at)
        case .cableObserved(let payload): observe(payload, seq: seq)
        case .stepCompleted(let payload):
            state.stepsCompleted.append(Observed(payload.step, seq: seq, at: at))
            if let next = phaseAfterStep[payload.step], state.phase < next { state.phase = next }
        case .procedureCompleted:
            state.phase = .completed
            state.isClosed = true
            guard state.completedSeq == nil else { return }
            state.completedSeq = seq
            state.completionSnapshot = [state]
        case .procedureReopened(let payload):
            state.reopenings.append(Observed(payload.reason, seq: seq, at: at))
            state.isClosed = false
            state.phase = .prepare
        case .procedureAborted(let payload):
            state.aborted = Observed(payload.reason, seq: seq, at: at)
            state.phase = .aborted
        case .noteAdded, .photoAttached: break
        default:
            guard let stack else { return }
            applyToStack(event, index: index(of: stack), seq: seq, at: at, recordedAt: recordedAt)
        }
    }

    private mutating func applyToStack(
        _ event: DomainEvent, index: Int, seq: Int64, at: Timestamp, recordedAt: Timestamp?
    ) {
        switch event {
        case .powerObserved(let payload):
            state.stacks[index].power = Observed(payload.state, seq: seq, at: at, recordedAt: recordedAt)
        case .dipObserved(let payload):
            if state.stacks[index].observe(payload, seq: seq, at: at), state.firstDIPChange == nil {
                state.firstDIPChange = seq
            }
        case .pushStarted(let payload):
            let stack = state.stacks[index].id
            state.stacks[index].pushes.append(
                PushAttempt(
                    started: Observed(payload, seq: seq, at: at),
                    linksAtStart: state.links.filter { $0.key.involves(stack: stack) },
                    addrAtStart: state.stacks[index].addr.now))
            state.lastPushEvent = seq
            if state.phase < .update { state.phase = .update }
        case .pushProgress, .pushCompleted, .pushFailed:
            state.stacks[index].observePush(event, seq: seq, at: at)
            state.lastPushEvent = seq
        default: state.stacks[index].observeUnit(event, seq: seq, at: at)
        }
    }

    /// A linear scan: sites have a handful of stacks, and comparing short ids beats hashing them.
    private mutating func index(of stack: String) -> Int {
        if let index = state.stacks.firstIndex(where: { $0.id == stack }) { return index }
        state.stacks.append(StackState(id: stack))
        return state.stacks.count - 1
    }

    private mutating func register(_ payload: SiteRegistered, seq: Int64) {
        state.model = payload.model
        state.registeredSeq = seq
        for identity in payload.stacks {
            let index = index(of: identity.id)
            state.stacks[index].serial = identity.serial
            state.stacks[index].order = identity.order
        }
        // Stable sort: unregistered stacks keep their first-seen order after the chain.
        state.stacks = state.stacks.enumerated()
            .sorted { ($0.element.order ?? .max, $0.offset) < ($1.element.order ?? .max, $1.offset) }.map(\.element)
    }

    private mutating func start(_ payload: ProcedureStarted, seq: Int64, at: Timestamp) {
        state.procedure = Observed(payload, seq: seq, at: at)
        if state.phase < .prepare { state.phase = .prepare }
        loadPhases(payload)
    }

    /// The phase each completed step leads to, from the run's procedure file.
    private mutating func loadPhases(_ payload: ProcedureStarted) {
        // A run from an unknown version still gets phases from the current file of the same id.
        guard
            let procedure = (try? Procedure.load(id: payload.procedureID, version: payload.procedureVersion))
                ?? (try? Procedure.load(id: payload.procedureID))
        else { return }
        let steps = procedure.steps
        for (offset, step) in steps.enumerated() {
            let next = offset + 1 < steps.count ? procedure.phase(ofStep: steps[offset + 1].id) : nil
            phaseAfterStep[step.id] = next.flatMap { SitePhase(rawValue: $0.id) } ?? .finalDetection
        }
    }

    private mutating func observe(_ payload: CableObserved, seq: Int64) {
        let edge = payload.edge
        switch payload.state {
        case .unplugged:
            state.links[edge] = nil
            state.unplugs.append(check(edge, .unplugged, seq: seq))
        case .plugged:
            // A cable seen plugged again while it was plugged (a reopened visit's as-found record) is no reconnection.
            let wasPlugged = state.links[edge] != nil
            state.links[edge] = seq
            if state.unplugs.isEmpty {
                if state.originalLinks[edge] == nil { state.originalLinks[edge] = seq }
            } else if !wasPlugged {
                state.replugs.append(check(edge, .plugged, seq: seq))
            }
        }
    }

    private func check(_ edge: CableEdge, _ cableState: CableState, seq: Int64) -> CableCheck {
        let notOff = state.stacks.filter { $0.power?.value != .off }.map { StackPower(stack: $0.id, power: $0.power) }
        return CableCheck(seq: seq, edge: edge, state: cableState, notOff: notOff)
    }
}
