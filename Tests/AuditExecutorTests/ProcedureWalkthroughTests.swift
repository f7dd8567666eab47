import AuditDomain
import AuditLog
import Foundation
import Testing

@testable import AuditExecutor

/// Walks the vendor procedure through prompts only, as the executor will in sim mode.
@Suite struct ProcedureWalkthroughTests {
    struct Walk {
        let site: SimulatedSite
        let clock: ManualClock
        let technician: SimulatedTechnician
        let transport: SimulatedTransport

        init(faults: [SimFault], file: URL? = nil) throws {
            (site, clock) = try makeSite(stacks: 3, faults: faults, file: file)
            transport = SimulatedTransport(
                site: site, clock: clock, sleeper: ClockAdvancingSleeper(clock: clock), stepMilliseconds: 10)
            technician = SimulatedTechnician(site: site, transport: transport)
        }

        func ask(_ kind: PromptKind) async throws -> Answer { try await technician.ask(Prompt(kind)) }

        func perform(_ action: TechnicianAction) async throws {
            #expect(try await ask(.confirmation(action)) == .confirmation(done: true))
        }

        func lcd(_ stack: String) async throws -> String {
            guard case .lcd(let code) = try await ask(.lcdCode(stack: stack)) else { return "?" }
            return code
        }

        /// INV to DUUUUU on `master`, read `62` then the count, INV back; returns the count shown.
        func detect(on master: String) async throws -> String {
            let before = try await ask(.dip(stack: master, bank: .inv, pinCount: 6))
            try await perform(.setDIP(stack: master, bank: .inv, position: .detection(pins: 6)))
            #expect(try await lcd(master) == "62")
            clock.advance(milliseconds: 5_000)
            let count = try await lcd(master)
            guard case .dip(let previous) = before else { return count }
            try await perform(.setDIP(stack: master, bank: .inv, position: previous))
            return count
        }

        /// Procedure steps 1–4 and the update; returns the original positions read in "prepare".
        func isolateAndUpdate() async throws -> [String: (DIPPosition, DIPPosition)] {
            var originals: [String: (DIPPosition, DIPPosition)] = [:]
            for id in site.stackIDs {
                guard case .dip(let addr) = try await ask(.dip(stack: id, bank: .addr, pinCount: 6)),
                    case .dip(let inv) = try await ask(.dip(stack: id, bank: .inv, pinCount: 6))
                else { continue }
                originals[id] = (addr, inv)
            }
            for id in site.stackIDs { try await perform(.powerOff(stack: id)) }
            for cable in site.snapshot.originalCables { try await perform(.unplug(cable)) }
            for id in site.stackIDs { try await perform(.setDIP(stack: id, bank: .addr, position: .master(pins: 6))) }
            for id in site.stackIDs { try await perform(.powerOn(stack: id)) }
            for id in site.stackIDs {
                #expect(try await lcd(id) == "ERROR 19")
                #expect(try await detect(on: id) == "1")
            }
            for id in site.stackIDs {
                let request = pushRequest(id)
                let outcome = try await transport.push(request, progress: { _ in })
                #expect(outcome.isCompleted, "\(id): \(outcome)")
            }
            return originals
        }

        func restore(_ originals: [String: (DIPPosition, DIPPosition)]) async throws {
            for id in site.stackIDs { try await perform(.powerOff(stack: id)) }
            for cable in site.snapshot.originalCables { try await perform(.plug(cable)) }
            for id in site.stackIDs {
                try await perform(.setDIP(stack: id, bank: .addr, position: originals[id]!.0))
                try await perform(.setDIP(stack: id, bank: .inv, position: originals[id]!.1))
            }
            for id in site.stackIDs.reversed() {
                try await perform(.powerOn(stack: id))
                clock.advance(milliseconds: 10_000)
            }
        }
    }

    @Test func cleanRunEndsWithTheWholeChainOnTheTargetVersion() async throws {
        let walk = try Walk(faults: [])
        let originals = try await walk.isolateAndUpdate()
        try await walk.restore(originals)
        #expect(try await walk.detect(on: "S1") == "3")
        for id in walk.site.stackIDs {
            #expect(try await walk.ask(.firmwareVersion(stack: id)) == .version("4007"))
            #expect(try await walk.ask(.dip(stack: id, bank: .addr, pinCount: 6)) == .dip(originals[id]!.0))
        }
        let order = walk.site.snapshot.powerOnLog.suffix(3)
        #expect(order.map(\.stack) == ["S3", "S2", "S1"])
    }

    @Test func skippedDIPRestoreShowsInTheFinalCount() async throws {
        let walk = try Walk(faults: [.skipDIPRestore(stack: "S2")])
        let originals = try await walk.isolateAndUpdate()
        try await walk.restore(originals)
        #expect(try await walk.ask(.dip(stack: "S2", bank: .addr, pinCount: 6)) == .dip(.master(pins: 6)))
        #expect(try await walk.detect(on: "S1") == "1")
    }

    @Test func aResumedRunFindsTheSiteAsLeft() async throws {
        let directory = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("audit.db.site-test.sim.json")
        let walk = try Walk(faults: [], file: file)
        _ = try await walk.isolateAndUpdate()
        let resumed = try SimulatedSite(loading: file, clock: walk.clock)
        #expect(resumed.snapshot == walk.site.snapshot)
        #expect(try resumed.version("S2") == "4007")
        #expect(resumed.snapshot.pluggedCables.isEmpty)
    }
}
