import AuditLog

/// Folds one site's events into a `SiteState` one at a time: rebuild, live views and benchmarks share it.
public struct SiteFold: Sendable {
    public private(set) var state: SiteState
    /// The phase a site enters once a given step is completed, from the run's procedure.
    private var phaseAfterStep: [String: SitePhase] = [:]

    public init(site: String) { state = SiteState(site: site) }

    public var site: String { state.site }

    /// Applies a logged event; events of other sites are ignored so a whole interleaved log can be fed in.
    public mutating func apply(_ event: LoggedEvent) throws(DomainError) {
        try apply(
            site: event.site, stack: event.stack, type: event.type, payload: event.payload, seq: event.seq,
            at: event.observedAt)
    }

    /// The columns the fold reads. Loops pass them one by one: a whole `LoggedEvent` handed to a mutating
    /// call is copied first, retaining every field, which cost a quarter of the fold's time.
    mutating func apply(
        site: String, stack: String?, type: String, payload: String, seq: Int64, at: Timestamp
    ) throws(DomainError) {
        guard site == state.site else { return }
        let event: DomainEvent
        do { event = try DomainEvent.decode(type: type, stack: stack, payload: payload) } catch {
            throw .inEvent(seq: seq, error)
        }
        apply(event, stack: stack, seq: seq, at: at)
    }

    /// Applies an already decoded event, e.g. one the executor has just appended.
    public mutating func apply(_ event: DomainEvent, stack: String?, seq: Int64, at: Timestamp) {
        state.eventCount += 1
        state.lastSeq = seq
        switch event {
        case .siteRegistered(let payload): register(payload, seq: seq)
        case .procedureStarted(let payload): start(payload, seq: seq, at: at)
        case .cableObserved(let payload): observe(payload, seq: seq)
        case .stepCompleted(let payload):
            state.stepsCompleted.append(Observed(payload.step, seq: seq, at: at))
            if let next = phaseAfterStep[payload.step], state.phase < next { state.phase = next }
        case .procedureCompleted:
            state.completedSeq = seq
            state.phase = .completed
        case .procedureAborted(let payload):
            state.aborted = Observed(payload.reason, seq: seq, at: at)
            state.phase = .aborted
        case .noteAdded, .photoAttached: break
        default:
            guard let stack else { return }
            applyToStack(event, index: index(of: stack), seq: seq, at: at)
        }
    }

    private mutating func applyToStack(_ event: DomainEvent, index: Int, seq: Int64, at: Timestamp) {
        switch event {
        case .powerObserved(let payload): state.stacks[index].power = Observed(payload.state, seq: seq, at: at)
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
            state.links[edge] = seq
            if state.unplugs.isEmpty {
                if state.originalLinks[edge] == nil { state.originalLinks[edge] = seq }
            } else {
                state.replugs.append(check(edge, .plugged, seq: seq))
            }
        }
    }

    private func check(_ edge: CableEdge, _ cableState: CableState, seq: Int64) -> CableCheck {
        let notOff = state.stacks.filter { $0.power?.value != .off }.map { StackPower(stack: $0.id, power: $0.power) }
        return CableCheck(seq: seq, edge: edge, state: cableState, notOff: notOff)
    }
}
