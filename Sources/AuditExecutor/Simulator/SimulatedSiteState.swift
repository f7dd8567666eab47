import AuditDomain

/// One simulated stack as a technician would find it.
public struct SimulatedStack: Sendable, Hashable, Codable {
    public var id: String
    public var serial: String
    /// 1 = master, then the slaves in chain order.
    public var order: Int
    public var power: PowerState
    public var addr: DIPPosition
    public var inv: DIPPosition
    /// The positions found on arrival, kept so faults and tests can tell a restore from any other change.
    public var originalAddr: DIPPosition
    public var originalInv: DIPPosition
    public var firmware: String
    /// What the display shows while powered (`""` while off); during detection the reading is computed.
    public var lcd: String
    /// Running parallel detection, if any.
    public var detection: Detection?
    /// Set by a power cut mid-push: the controller boots to `ERROR 20` and reads `0000`.
    public var damaged: Bool

    public func dip(_ bank: DIPBank) -> DIPPosition { bank == .addr ? addr : inv }
}

/// Parallel detection in progress on a master, started when INV was set to `DUUUUU`.
public struct Detection: Sendable, Hashable, Codable {
    public var startedAtMilliseconds: Int64
    /// `62` is shown at least once before the count, so the two readings of the procedure are always observable.
    public var runningShown: Bool
}

/// A power-on, kept so the order and pauses of the restore can be checked against the procedure.
public struct PowerOnRecord: Sendable, Hashable, Codable {
    public var stack: String
    public var atMilliseconds: Int64
}

/// The whole physical state of a simulated site: what is persisted next to the log.
public struct SimulatedSiteState: Sendable, Hashable, Codable {
    /// 2: cables are stored as their two ports (`["S1:A", "S2:B"]`).
    public static let currentFormat = 2

    public var format: Int
    public var name: String
    public var pinCount: Int
    /// How long the master shows `62` before the count.
    public var detectionMilliseconds: Int64
    public var stacks: [SimulatedStack]
    /// The chain as it was wired on arrival.
    public var originalCables: [CableEdge]
    /// The cables plugged now, sorted.
    public var pluggedCables: [CableEdge]
    public var faults: [SimFault]
    /// Faults that already fired; each fires once.
    public var spentFaults: [SimFault]
    public var pushCounts: [String: Int]
    public var powerOnLog: [PowerOnRecord]

    public func index(of stack: String) throws(SimulatorError) -> Int {
        guard let index = stacks.firstIndex(where: { $0.id == stack }) else { throw .unknownStack(stack) }
        return index
    }

    /// The master is the stack of order 1.
    public var masterID: String { stacks.first(where: { $0.order == 1 })?.id ?? stacks[0].id }

    /// No cable touches the stack, on a site that has more than one: the BMS misses its peers (`ERROR 19`).
    public func isIsolated(_ stack: String) -> Bool {
        stacks.count > 1 && !pluggedCables.contains { $0.involves(stack: stack) }
    }

    /// Any cable plugged or a non-master address: the gateway refuses to update.
    public func isInParallel(_ stack: SimulatedStack) -> Bool {
        pluggedCables.contains { $0.involves(stack: stack.id) } || stack.addr != .master(pins: pinCount)
    }

    /// The stacks a detecting master reaches: it follows Link A to Link B while the next BMS is powered and
    /// answers on an address not yet seen (a second master or a duplicate address breaks the chain).
    public func detectedChain(from master: String) -> [String] {
        guard let first = stacks.first(where: { $0.id == master }) else { return [] }
        var chain = [master]
        var addresses: Set<DIPPosition> = [first.addr]
        var current = master
        while let cable = pluggedCables.first(where: { $0.contains(PortRef(stack: current, port: .a)) }),
            let end = cable.otherEnd(from: PortRef(stack: current, port: .a)), end.port == .b,
            let next = stacks.first(where: { $0.id == end.stack }), next.power == .on,
            !addresses.contains(next.addr), !chain.contains(next.id)
        {
            chain.append(next.id)
            addresses.insert(next.addr)
            current = next.id
        }
        return chain
    }
}

/// How a new simulated site is laid out: an in-service chain with realistic original switch positions.
public struct SiteConfiguration: Sendable, Hashable {
    public var name: String
    public var stackCount: Int
    public var serials: [String]?
    public var firmware: String
    public var pinCount: Int
    public var detectionMilliseconds: Int64
    public var faults: [SimFault]

    public init(
        name: String = "sim", stackCount: Int = 3, serials: [String]? = nil, firmware: String = "4006",
        pinCount: Int = 6, detectionMilliseconds: Int64 = 3000, faults: [SimFault] = []
    ) {
        self.name = name
        self.stackCount = stackCount
        self.serials = serials
        self.firmware = firmware
        self.pinCount = pinCount
        self.detectionMilliseconds = detectionMilliseconds
        self.faults = faults
    }

    /// S1..SN powered, chained S1.A→S2.B→…, ADDR = binary of the order (master `UDDDDD`), INV `UUDDDD`, LCD `OK`.
    public func initialState() throws(SimulatorError) -> SimulatedSiteState {
        guard stackCount >= 1, stackCount < 1 << pinCount else {
            throw .invalidConfiguration("stack count must be 1...\((1 << pinCount) - 1) for \(pinCount) pins")
        }
        guard pinCount >= 2 else { throw .invalidConfiguration("a DIP bank needs at least 2 pins") }
        if let serials, serials.count != stackCount {
            throw .invalidConfiguration("\(serials.count) serials for \(stackCount) stacks")
        }
        for fault in faults {
            if let stack = fault.stack, !(1...stackCount).map({ "S\($0)" }).contains(stack) {
                throw .invalidFault(fault.description, "no stack \(stack) on a site of \(stackCount)")
            }
        }
        let inv = DIPPosition(up: (0..<pinCount).map { $0 < 2 })
        let stacks = (1...stackCount).map { order in
            let addr = DIPPosition.address(order, pins: pinCount)
            return SimulatedStack(
                id: "S\(order)", serial: serials?[order - 1] ?? "SIM-\(name)-\(order)", order: order, power: .on,
                addr: addr, inv: inv, originalAddr: addr, originalInv: inv, firmware: firmware, lcd: "OK",
                detection: nil, damaged: false)
        }
        let cables = CableEdge.chain((1...stackCount).map { "S\($0)" })
        return SimulatedSiteState(
            format: SimulatedSiteState.currentFormat, name: name, pinCount: pinCount,
            detectionMilliseconds: detectionMilliseconds, stacks: stacks, originalCables: cables,
            pluggedCables: cables, faults: faults, spentFaults: [], pushCounts: [:], powerOnLog: [])
    }
}
