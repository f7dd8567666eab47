import AuditDomain
import AuditLog
import Testing

@testable import AuditExecutor

@Suite struct SimulatedTechnicianTests {
    @Test func readsTheSiteAndPerformsActions() async throws {
        let (site, _) = try makeSite(stacks: 2)
        let technician = SimulatedTechnician(site: site)
        #expect(try await technician.ask(Prompt(.powerState(stack: "S1"))) == .power(.on))
        #expect(try await technician.ask(Prompt(.lcdCode(stack: "S2"))) == .lcd("OK"))
        #expect(
            try await technician.ask(Prompt(.dip(stack: "S2", bank: .addr, pinCount: 6)))
                == .dip(.address(2, pins: 6)))
        let cable = CableEdge(PortRef(stack: "S1", port: .a), PortRef(stack: "S2", port: .b))
        #expect(try await technician.ask(Prompt(.cableState(cable))) == .cable(plugged: true))
        #expect(try await technician.ask(Prompt(.confirmation(.unplug(cable)))) == .confirmation(done: true))
        #expect(site.isPlugged(cable) == false)
        #expect(
            try await technician.ask(
                Prompt(
                    .confirmation(
                        .setDIP(
                            stack: "S2", bank: .addr,
                            position: .master(pins: 6))))) == .confirmation(done: true))
        #expect(try site.dip("S2", .addr) == .master(pins: 6))
        #expect(try await technician.ask(Prompt(.firmwareVersion(stack: "S2"))) == .version("4006"))
        #expect(try await technician.ask(Prompt(.lcdCode(stack: "S2"))) == .lcd("ERROR 19"))
    }

    @Test func unknownStackIsAPromptError() async throws {
        let (site, _) = try makeSite(stacks: 2)
        await #expect(throws: PromptError.simulator("no stack S4 on the simulated site")) {
            try await SimulatedTechnician(site: site).ask(Prompt(.lcdCode(stack: "S4")))
        }
    }

    @Test func skipDIPRestoreConfirmsButLeavesTheSwitchesOnce() async throws {
        let (site, _) = try makeSite(stacks: 2, faults: [.skipDIPRestore(stack: "S2")])
        let technician = SimulatedTechnician(site: site)
        let toMaster = Prompt(.confirmation(.setDIP(stack: "S2", bank: .addr, position: .master(pins: 6))))
        let restore = Prompt(.confirmation(.setDIP(stack: "S2", bank: .addr, position: .address(2, pins: 6))))
        #expect(try await technician.ask(toMaster) == .confirmation(done: true))
        #expect(try site.dip("S2", .addr) == .master(pins: 6))
        #expect(try await technician.ask(restore) == .confirmation(done: true))
        #expect(try site.dip("S2", .addr) == .master(pins: 6))
        #expect(try await technician.ask(restore) == .confirmation(done: true))
        #expect(try site.dip("S2", .addr) == .address(2, pins: 6))
    }

    @Test func wrongPowerOrderSwitchesTheMasterOnFirst() async throws {
        let (site, clock) = try makeSite(stacks: 3, faults: [.wrongPowerOrder])
        let technician = SimulatedTechnician(site: site)
        try isolate(site)
        for id in site.stackIDs { try site.powerOff(id) }
        // Isolated, the order does not matter: the fault waits for the restore.
        for id in ["S3", "S2", "S1"] { _ = try await technician.ask(Prompt(.confirmation(.powerOn(stack: id)))) }
        try restore(site)
        #expect(site.snapshot.powerOnLog.suffix(3).map(\.stack) == ["S3", "S2", "S1"])
        for id in site.stackIDs { try site.powerOff(id) }
        for id in ["S3", "S2", "S1"] {
            #expect(try await technician.ask(Prompt(.confirmation(.powerOn(stack: id)))) == .confirmation(done: true))
            clock.advance(milliseconds: 10_000)
        }
        #expect(site.snapshot.powerOnLog.suffix(3).map(\.stack) == ["S1", "S3", "S2"])
    }

    @Test func versionOfADarkStackCannotBeRead() async throws {
        let (site, _) = try makeSite(stacks: 2)
        try site.powerOff("S2")
        await #expect(throws: PromptError.self) {
            try await SimulatedTechnician(site: site).ask(Prompt(.firmwareVersion(stack: "S2")))
        }
    }

    @Test func manualPushFailureIsExplainedByTheTechnician() async throws {
        let (site, clock) = try makeSite(stacks: 2)
        let transport = SimulatedTransport(
            site: site, clock: clock, sleeper: ClockAdvancingSleeper(clock: clock), stepMilliseconds: 1)
        let manual = ManualTransport(prompter: SimulatedTechnician(site: site, transport: transport), clock: clock)
        let outcome = try await manual.push(pushRequest("S1"), progress: { _ in })
        guard case .failed(let reason, nil, _, nil) = outcome else {
            Issue.record("expected failure, got \(outcome)")
            return
        }
        #expect(reason == "technician reported failure: BMS is in parallel")
    }

    @Test func manualPushInSimModeGoesThroughTheSimulatedTransport() async throws {
        let (site, clock) = try makeSite(stacks: 2)
        try isolate(site)
        let transport = SimulatedTransport(
            site: site, clock: clock, sleeper: ClockAdvancingSleeper(clock: clock), stepMilliseconds: 1)
        let technician = SimulatedTechnician(site: site, transport: transport)
        let manual = ManualTransport(prompter: technician, clock: clock)
        let outcome = try await manual.push(pushRequest("S1"), progress: { _ in })
        guard case .completed(let version, _, nil, nil) = outcome else {
            Issue.record("expected completion, got \(outcome)")
            return
        }
        #expect(version == "4007")
    }
}
