import AuditLog

/// The builder's working state while it writes one run phase by phase.
struct ScenarioRun {
    let config: ScenarioBuilder
    let ids: [String]
    let procedureID = "stacks-in-parallel"
    var recorder: ScenarioRecorder
    /// Event ids kept for evidence marks.
    var originalPlugs: [String] = []
    var powerOn: [String: String] = [:]
    var versionBefore: [String: String] = [:]
    var addrOriginal: [String: String] = [:]
    var invOriginal: [String: String] = [:]
    var addrMaster: [String: String] = [:]

    init(_ config: ScenarioBuilder) {
        self.config = config
        ids = config.stackIDs
        recorder = ScenarioRecorder(site: config.site, actor: config.actor, start: config.start)
    }

    var master: String { ids[0] }
    var last: String { ids[ids.count - 1] }
    /// Cable `k` runs from stack k+1's Link A to stack k+2's Link B.
    var edges: Range<Int> { 0..<(ids.count - 1) }

    func deviates(_ deviation: Deviation) -> Bool { config.deviation == deviation }

    mutating func power(_ stack: String, _ state: PowerState, after milliseconds: Int64 = 1_000) -> String {
        let id = recorder.emit(.powerObserved(PowerObserved(state: state)), stack: stack, after: milliseconds)
        if state == .on { powerOn[stack] = id }
        return id
    }

    @discardableResult
    mutating func dip(_ stack: String, _ bank: DIPBank, _ position: DIPPosition) -> String {
        recorder.emit(.dipObserved(DIPObserved(bank: bank, position: position)), stack: stack)
    }

    @discardableResult
    mutating func lcd(_ stack: String, _ code: String) -> String {
        recorder.emit(.lcdObserved(LCDObserved(code: try! LCDCode(parsing: code))), stack: stack)
    }

    mutating func cable(_ edge: Int, _ state: CableState, toPort: Port = .b) -> String {
        let from = PortRef(stack: ids[edge], port: .a)
        let to = PortRef(stack: ids[edge + 1], port: toPort)
        return recorder.emit(.cableObserved(CableObserved(from: from, to: to, state: state)))
    }

    @discardableResult
    mutating func step(_ id: String) -> String { recorder.emit(.stepCompleted(StepCompleted(step: id))) }

    /// The ADDR the technician records as found: S2's is mistyped as the master's in `.mistypedOriginal`.
    func recordedAddr(order: Int) -> DIPPosition {
        config.originalAddr(order: deviates(.mistypedOriginal) && order == 2 ? 1 : order)
    }

    mutating func recordOriginals(_ stack: String, order: Int) {
        addrOriginal[stack] = dip(stack, .addr, recordedAddr(order: order))
        invOriginal[stack] = dip(stack, .inv, config.originalInv)
    }
}
