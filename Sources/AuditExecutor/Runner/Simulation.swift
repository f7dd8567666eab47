import AuditDomain
import AuditLog
import Foundation
import Logging

/// A whole simulated site visit: the site, a technician acting on it, a transport pushing to it, all on a clock
/// that the simulation advances, so a run needs no one at the keyboard and no real waiting.
public struct Simulation: Sendable {
    public let site: SimulatedSite
    public let clock: ManualClock
    public let sleeper: ClockAdvancingSleeper
    public let transport: SimulatedTransport
    public let technician: any Prompter

    /// Opens the site's state file if it exists and `resume` (a resumed run finds the site as it was left), else lays
    /// the site out anew, replacing a file a deleted log left behind.
    public init(
        configuration: SiteConfiguration, stateFile: URL?, start: Timestamp, resume: Bool = true,
        pushStepMilliseconds: Int64 = 6_000, logger: Logger = Logger(label: "audit.simulator")
    ) throws(SimulatorError) {
        clock = ManualClock(start)
        sleeper = ClockAdvancingSleeper(clock: clock)
        if let stateFile, resume {
            site = try SimulatedSite.openOrCreate(
                stateFile: stateFile, configuration: configuration, clock: clock, logger: logger)
        } else {
            site = try SimulatedSite(
                configuration: configuration, stateFile: stateFile, clock: clock, logger: logger)
        }
        transport = SimulatedTransport(
            site: site, clock: clock, sleeper: sleeper, stepMilliseconds: pushStepMilliseconds, logger: logger)
        technician = PacedPrompter(SimulatedTechnician(site: site, transport: transport), clock: clock)
    }

    /// The site as the simulator lays it out: what `site.registered` records in sim mode.
    public var registration: SiteRegistered {
        let state = site.snapshot
        return SiteRegistered(
            model: DeviceModel(name: "SIM-BMS", addrPins: state.pinCount, invPins: state.pinCount),
            stacks: state.stacks.map { StackIdentity(id: $0.id, serial: $0.serial, order: $0.order) })
    }

    /// Simulated time starts now, or just after the last recorded observation when that is later (a resume).
    public static func startTime(after events: [LoggedEvent], now: Timestamp) -> Timestamp {
        let last = events.map(\.observedAt).max().map { $0.adding(milliseconds: 1_000) }
        return max(now, last ?? now)
    }

    /// Reads `name` or `name:STACK`; a stack fault without a stack falls on the last stack of the chain.
    public static func fault(parsing text: String, stackCount: Int) throws(SimulatorError) -> SimFault {
        if text.contains(":") || text == "wrong-power-order" { return try SimFault(parsing: text) }
        do throws(SimulatorError) {
            return try SimFault(parsing: "\(text):S\(max(1, stackCount))")
        } catch .invalidFault(_, let reason) {
            // Name what was typed, not the stack this function added to it.
            throw .invalidFault(text, reason)
        }
    }
}
