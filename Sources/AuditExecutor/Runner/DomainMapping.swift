import AuditDomain

/// The executor's site vocabulary mapped onto the domain's event types at the boundary where events are recorded.
extension SwitchBank {
    public var domain: DIPBank { self == .addr ? .addr : .inv }

    public init(_ bank: DIPBank) { self = bank == .addr ? .addr : .inv }
}

extension SwitchPositions {
    public var domain: DIPPosition { DIPPosition(up: pins) }

    public init(_ position: DIPPosition) { self.init(pins: (1...position.pins).map { position.isUp(pin: $0) }) }
}

extension PowerState {
    public var domain: AuditDomain.PowerState { self == .on ? .on : .off }

    public init(_ state: AuditDomain.PowerState) { self = state == .on ? .on : .off }
}

extension LinkCable {
    /// Link A of `fromLinkA` to Link B of `toLinkB`, as `cable.observed` writes it.
    public var ports: (from: PortRef, to: PortRef) {
        (PortRef(stack: fromLinkA, port: .a), PortRef(stack: toLinkB, port: .b))
    }

    /// The daisy chain of a site in order: each stack's Link A to the next stack's Link B.
    public static func chain(_ stacks: [String]) -> [LinkCable] {
        zip(stacks, stacks.dropFirst()).map { LinkCable(fromLinkA: $0, toLinkB: $1) }
    }
}
