import AuditDomain
import AuditLog
import Foundation
import Logging

/// A model of the physical site that behaves as the vendor procedure describes, persisted next to the log because
/// the physical world outlives the laptop: a killed run resumes with the same switches, cables and versions.
public final class SimulatedSite: @unchecked Sendable {
    /// Nil for a site kept in memory only (tests).
    public let stateFile: URL?
    private let clock: any AuditClock
    private let logger: Logger
    private let lock = NSLock()
    private var state: SimulatedSiteState
    /// Faults that fired in a push whose outcome is not yet in the log; in memory only, so a kill forgets them.
    private var fired: [SimFault] = []

    /// `<log>.site-<name>.sim.json`, beside the log it belongs to; the name escaped, never a path.
    public static func stateFileURL(logPath: String, siteName: String) -> URL {
        URL(fileURLWithPath: logPath + ".site-\(SiteFileName.make(siteName)).sim.json")
    }

    /// Lays out a new site from `configuration` and writes it (replacing any file at `stateFile`).
    public init(
        configuration: SiteConfiguration, stateFile: URL?, clock: any AuditClock,
        logger: Logger = Logger(label: "audit.simulator")
    ) throws(SimulatorError) {
        self.stateFile = stateFile
        self.clock = clock
        self.logger = logger
        self.state = try configuration.initialState()
        if let stateFile { try SiteStateFile.save(state, to: stateFile) }
    }

    /// Reopens a site exactly as it was left.
    public init(loading stateFile: URL, clock: any AuditClock, logger: Logger = Logger(label: "audit.simulator"))
        throws(SimulatorError)
    {
        self.stateFile = stateFile
        self.clock = clock
        self.logger = logger
        self.state = try SiteStateFile.load(stateFile)
    }

    /// Reopens the site if its file exists (the configuration is then ignored), else lays out a new one.
    public static func openOrCreate(
        stateFile: URL, configuration: SiteConfiguration, clock: any AuditClock,
        logger: Logger = Logger(label: "audit.simulator")
    ) throws(SimulatorError) -> SimulatedSite {
        if FileManager.default.fileExists(atPath: stateFile.path) {
            return try SimulatedSite(loading: stateFile, clock: clock, logger: logger)
        }
        return try SimulatedSite(configuration: configuration, stateFile: stateFile, clock: clock, logger: logger)
    }

    public var snapshot: SimulatedSiteState { locked { $0 } }

    public var stackIDs: [String] { snapshot.stacks.map(\.id) }

    public var now: Int64 { clock.now().millisecondsSinceEpoch }

    public func stack(_ id: String) throws(SimulatorError) -> SimulatedStack {
        let state = snapshot
        return state.stacks[try state.index(of: id)]
    }

    // MARK: What a technician does

    public func powerOn(_ id: String) throws(SimulatorError) {
        let now = now
        try mutate { state throws(SimulatorError) in
            let index = try state.index(of: id)
            guard state.stacks[index].power == .off else { return }
            state.stacks[index].power = .on
            state.powerOnLog.append(PowerOnRecord(stack: id, atMilliseconds: now))
            let stack = state.stacks[index]
            state.stacks[index].lcd = stack.damaged ? "ERROR 20" : state.isIsolated(id) ? "ERROR 19" : "OK"
            if stack.inv == .detection(pins: state.pinCount) { Self.startDetection(&state, index: index, now: now) }
        }
        logger.debug("sim: \(id) powered on")
    }

    public func powerOff(_ id: String) throws(SimulatorError) {
        try mutate { state throws(SimulatorError) in
            let index = try state.index(of: id)
            state.stacks[index].power = .off
            state.stacks[index].lcd = ""
            state.stacks[index].detection = nil
        }
        logger.debug("sim: \(id) powered off")
    }

    public func plug(_ cable: CableEdge) throws(SimulatorError) {
        try mutate { state throws(SimulatorError) in
            try Self.check(cable, in: state)
            guard !state.pluggedCables.contains(cable) else { return }
            if let busy = state.pluggedCables.first(where: {
                $0.contains(cable.first) || $0.contains(cable.second)
            }) {
                throw .unknownCable("\(cable.promptKey): port already holds \(busy.promptKey)")
            }
            state.pluggedCables.append(cable)
            state.pluggedCables.sort()
        }
    }

    public func unplug(_ cable: CableEdge) throws(SimulatorError) {
        try mutate { state throws(SimulatorError) in
            try Self.check(cable, in: state)
            state.pluggedCables.removeAll { $0 == cable }
            // A running BMS that loses its last peer reports the interruption at once.
            for index in state.stacks.indices
            where cable.involves(stack: state.stacks[index].id) && state.stacks[index].power == .on
                && state.isIsolated(state.stacks[index].id) && !state.stacks[index].damaged
            {
                state.stacks[index].lcd = "ERROR 19"
            }
        }
    }

    /// Setting INV to `DUUUUU` on a powered master starts detection; moving it away ends or aborts it.
    public func setDIP(_ id: String, _ bank: DIPBank, _ position: DIPPosition) throws(SimulatorError) {
        let now = now
        try mutate { state throws(SimulatorError) in
            let index = try state.index(of: id)
            guard position.pins == state.pinCount else {
                throw .invalidConfiguration("\(bank.label) of \(id) has \(state.pinCount) pins, not \(position.pins)")
            }
            switch bank {
            case .addr: state.stacks[index].addr = position
            case .inv: state.stacks[index].inv = position
            }
            guard bank == .inv, state.stacks[index].power == .on else { return }
            if position == .detection(pins: state.pinCount) {
                Self.startDetection(&state, index: index, now: now)
            } else if let detection = state.stacks[index].detection {
                if detection.runningShown, now - detection.startedAtMilliseconds >= state.detectionMilliseconds {
                    Self.finishDetection(&state, index: index)
                } else {
                    state.stacks[index].detection = nil
                }
            }
        }
    }

    // MARK: What a technician reads

    /// The display: blank (`""`) while off, `62` then the count during detection.
    public func lcd(_ id: String) throws(SimulatorError) -> String {
        let now = now
        return try mutate { state throws(SimulatorError) in
            let index = try state.index(of: id)
            guard state.stacks[index].power == .on else { return "" }
            if let detection = state.stacks[index].detection {
                if !detection.runningShown || now - detection.startedAtMilliseconds < state.detectionMilliseconds {
                    state.stacks[index].detection?.runningShown = true
                    return "62"
                }
                Self.finishDetection(&state, index: index)
            }
            return state.stacks[index].lcd
        }
    }

    /// The version the BMS reports, nil while it is off.
    public func version(_ id: String) throws(SimulatorError) -> String? {
        let stack = try stack(id)
        return stack.power == .on ? stack.firmware : nil
    }

    public func power(_ id: String) throws(SimulatorError) -> PowerState { try stack(id).power }

    public func dip(_ id: String, _ bank: DIPBank) throws(SimulatorError) -> DIPPosition {
        try stack(id).dip(bank)
    }

    public func isPlugged(_ cable: CableEdge) -> Bool { snapshot.pluggedCables.contains(cable) }

    // MARK: Faults and pushes (used by the simulated transport and technician)

    /// The first unspent fault matching `predicate`, left unspent: a run killed before its outcome meets it again.
    public func pendingFault(where predicate: (SimFault) -> Bool) -> SimFault? {
        locked { state in state.faults.first(where: { predicate($0) && !state.spentFaults.contains($0) }) }
    }

    /// Notes that `fault` fired in the current push; it is spent by `spendFired(stack:)` once the log holds the outcome.
    func fire(_ fault: SimFault) {
        lock.withLock { fired.append(fault) }
        logger.info("sim: fault \(fault) fires")
    }

    /// Spends the faults that fired on `stack`: the push's outcome is now recorded, so a resume must not meet them.
    func spendFired(stack: String) throws(SimulatorError) {
        let faults = lock.withLock {
            let mine = fired.filter { $0.stack == stack }
            fired.removeAll { $0.stack == stack }
            return mine
        }
        for fault in faults { try spend(fault) }
    }

    /// Marks `fault` spent, together with `change` in one write of the site file, once its outcome is settled.
    func spend(_ fault: SimFault, with change: (inout SimulatedSiteState) throws(SimulatorError) -> Void = { _ in })
        throws(SimulatorError)
    {
        try mutate { state throws(SimulatorError) in
            try change(&state)
            if !state.spentFaults.contains(fault) { state.spentFaults.append(fault) }
        }
        logger.info("sim: fault \(fault) spent")
    }

    /// Marks the first unspent fault matching `predicate` as spent and returns it.
    public func takeFault(where predicate: (SimFault) -> Bool) throws(SimulatorError) -> SimFault? {
        try mutate { state throws(SimulatorError) in
            guard let fault = state.faults.first(where: { predicate($0) && !state.spentFaults.contains($0) }) else {
                return nil
            }
            state.spentFaults.append(fault)
            logger.info("sim: fault \(fault) fires")
            return fault
        }
    }

    /// Counts the push; returns why the BMS refuses it, or nil when it may start.
    func beginPush(_ id: String) throws(SimulatorError) -> String? {
        try mutate { state throws(SimulatorError) in
            let index = try state.index(of: id)
            state.pushCounts[id, default: 0] += 1
            let stack = state.stacks[index]
            if stack.power == .off { return "BMS does not respond (powered off)" }
            if stack.damaged { return "BMS reports ERROR 20 (internal communication fault)" }
            if state.isInParallel(stack) { return "BMS is in parallel" }
            return nil
        }
    }

    func installFirmware(_ id: String, version: String) throws(SimulatorError) {
        try mutate { state throws(SimulatorError) in state.stacks[try state.index(of: id)].firmware = version }
    }

    /// The power cut of a transfer half way: the BMS goes dark and the next boot finds a broken image.
    func cutPower(_ id: String, spending fault: SimFault) throws(SimulatorError) {
        try spend(fault) { state throws(SimulatorError) in
            let index = try state.index(of: id)
            state.stacks[index].power = .off
            state.stacks[index].lcd = ""
            state.stacks[index].detection = nil
            state.stacks[index].damaged = true
            state.stacks[index].firmware = "0000"
        }
    }

    // MARK: Internals

    private static func check(_ cable: CableEdge, in state: SimulatedSiteState) throws(SimulatorError) {
        _ = try state.index(of: cable.first.stack)
        _ = try state.index(of: cable.second.stack)
        guard cable.first.stack != cable.second.stack else {
            throw .unknownCable("\(cable.promptKey) loops on one stack")
        }
    }

    /// Only a BMS addressed as master runs detection.
    private static func startDetection(_ state: inout SimulatedSiteState, index: Int, now: Int64) {
        guard state.stacks[index].addr == .master(pins: state.pinCount), !state.stacks[index].damaged else {
            return
        }
        state.stacks[index].detection = Detection(startedAtMilliseconds: now, runningShown: false)
    }

    /// The master shows how many stacks it reached, and those stop reporting `ERROR 19`.
    private static func finishDetection(_ state: inout SimulatedSiteState, index: Int) {
        let master = state.stacks[index].id
        let chain = state.detectedChain(from: master)
        state.stacks[index].detection = nil
        for other in state.stacks.indices where chain.contains(state.stacks[other].id) {
            if state.stacks[other].lcd == "ERROR 19" { state.stacks[other].lcd = "OK" }
        }
        state.stacks[index].lcd = String(chain.count)
    }

    private func locked<R>(_ body: (SimulatedSiteState) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(state)
    }

    /// Applies a change and persists it before it becomes visible, so memory never runs ahead of the file.
    private func mutate<R>(_ body: (inout SimulatedSiteState) throws(SimulatorError) -> R) throws(SimulatorError) -> R {
        lock.lock()
        defer { lock.unlock() }
        var copy = state
        let result = try body(&copy)
        if copy != state {
            if let stateFile { try SiteStateFile.save(copy, to: stateFile) }
            state = copy
        }
        return result
    }
}
