/// What admission reads of a site. `SiteState` answers it from the whole fold; `AdmissionState` holds only it, so
/// the one `validate` and `admit` serve both.
public protocol AdmissionView {
    var site: String { get }
    var model: DeviceModel? { get }
    var registeredSeq: Int64? { get }
    /// Cables plugged now, each with the seq that last showed it plugged.
    var links: [CableEdge: Int64] { get }
    var completedSeq: Int64? { get }
    /// Completed, and not reopened since.
    var isClosed: Bool { get }
    /// The procedure the run started with; nil before `procedure.started`.
    var procedureID: String? { get }
    var procedureVersion: String? { get }
    /// Whether an event may name stack `id`: any id before a registration lists stacks, a listed one after.
    func admitsStack(_ id: String) -> Bool
}

/// A site's state as the gate keeps it between appends: the facts admission reads and nothing else.
///
/// A batch keeps one per site it touches. A full `SiteState` of a 21-stack site holds every observation of every
/// stack (about 37 KB after a run); this holds the stack ids and the cables plugged (a few KB), so a batch over
/// thousands of sites stays small. `SiteGateTests` compare the two along random logs at every append.
public struct AdmissionState: AdmissionView, Sendable, Hashable, Codable {
    public var site: String
    public var model: DeviceModel?
    public var registeredSeq: Int64?
    /// The registered stacks' ids, in the registration's chain order (master first). Admission asks only whether an
    /// id is here: a second registration, which the gate refuses and only a writer without it could log, adds its
    /// new ids at the end, where the full fold would re-sort every stack.
    public var registeredStacks: [String] = []
    public var links: [CableEdge: Int64] = [:]
    public var completedSeq: Int64?
    public var isClosed = false
    public var procedureID: String?
    public var procedureVersion: String?

    public init(site: String) { self.site = site }

    /// The facts of a fully folded site: what a lean fold of the same events must equal.
    public init(_ state: SiteState) {
        site = state.site
        model = state.model
        registeredSeq = state.registeredSeq
        registeredStacks = state.stacks.filter { $0.order != nil }.map(\.id)
        links = state.links
        completedSeq = state.completedSeq
        isClosed = state.isClosed
        procedureID = state.procedureID
        procedureVersion = state.procedureVersion
    }

    public func admitsStack(_ id: String) -> Bool { registeredStacks.isEmpty || registeredStacks.contains(id) }

    /// One uncorrected event's effect, as `SiteFold` has it on the same facts.
    mutating func apply(_ event: DomainEvent, seq: Int64) {
        switch event {
        case .siteRegistered(let payload):
            model = payload.model
            registeredSeq = seq
            // Chain order, ties in listed order: the fold's stable sort of the same list.
            let listed = payload.stacks.enumerated().sorted {
                ($0.element.order, $0.offset) < ($1.element.order, $1.offset)
            }
            for identity in listed.map(\.element) where !registeredStacks.contains(identity.id) {
                registeredStacks.append(identity.id)
            }
        case .procedureStarted(let payload):
            procedureID = payload.procedureID
            procedureVersion = payload.procedureVersion
        case .cableObserved(let payload):
            links[payload.edge] = payload.state == .plugged ? seq : nil
        case .procedureCompleted:
            isClosed = true
            completedSeq = completedSeq ?? seq
        case .procedureReopened:
            isClosed = false
        default: return
        }
    }
}

extension SiteState: AdmissionView {
    public var procedureID: String? { procedure?.value.procedureID }
    public var procedureVersion: String? { procedure?.value.procedureVersion }

    public func admitsStack(_ id: String) -> Bool {
        // By index, not `filter`: copying each StackState out of the array is what a check here would cost.
        !stacks.indices.contains { stacks[$0].order != nil }
            || stacks.indices.contains { stacks[$0].order != nil && stacks[$0].id == id }
    }
}
