import AuditDomain
import AuditLog
import Foundation
import Testing

@testable import AuditExecutor

@Suite struct SimulatedSiteTests {
    @Test func newSiteHasRealisticOriginalPositions() throws {
        let (site, _) = try makeSite(stacks: 3)
        let stacks = site.snapshot.stacks
        #expect(stacks.map(\.addr.description) == ["UDDDDD", "DUDDDD", "UUDDDD"])
        #expect(stacks.allSatisfy { $0.inv.description == "UUDDDD" && $0.power == .on && $0.lcd == "OK" })
        #expect(site.snapshot.pluggedCables.map(\.promptKey) == ["S1.A-S2.B", "S2.A-S3.B"])
    }

    @Test func isolatedStackShowsError19UntilDetection() throws {
        let (site, _) = try makeSite(stacks: 3)
        try isolate(site)
        for id in site.stackIDs { #expect(try site.lcd(id) == "ERROR 19") }
        try site.setDIP("S2", .inv, .detection(pins: 6))
        #expect(try site.lcd("S2") == "62")
        #expect(try site.lcd("S2") == "1")
        #expect(try site.lcd("S3") == "ERROR 19")
    }

    @Test func detectionShows62UntilItsDurationHasPassed() throws {
        let (site, clock) = try makeSite(stacks: 2, detectionMilliseconds: 3000)
        try isolate(site)
        try site.setDIP("S1", .inv, .detection(pins: 6))
        #expect(try site.lcd("S1") == "62")
        clock.advance(milliseconds: 2000)
        #expect(try site.lcd("S1") == "62")
        clock.advance(milliseconds: 1000)
        #expect(try site.lcd("S1") == "1")
    }

    @Test func detectionCountsTheWholeChainOnceRestored() throws {
        let (site, _) = try makeSite(stacks: 4)
        try isolate(site)
        try restore(site)
        try site.setDIP("S1", .inv, .detection(pins: 6))
        #expect(try site.lcd("S1") == "62")
        #expect(try site.lcd("S1") == "4")
        try site.setDIP("S1", .inv, site.stack("S1").originalInv)
        #expect(try site.lcd("S1") == "4")
    }

    @Test func detectionStopsAtAnUnrestoredAddressOrMissingCable() throws {
        let (site, _) = try makeSite(stacks: 4)
        try isolate(site)
        try restore(site)
        try site.setDIP("S3", .addr, .master(pins: 6))
        try site.setDIP("S1", .inv, .detection(pins: 6))
        _ = try site.lcd("S1")
        #expect(try site.lcd("S1") == "2")

        try site.setDIP("S3", .addr, site.stack("S3").originalAddr)
        try site.unplug(CableEdge(PortRef(stack: "S1", port: .a), PortRef(stack: "S2", port: .b)))
        try site.setDIP("S1", .inv, .detection(pins: 6))
        _ = try site.lcd("S1")
        #expect(try site.lcd("S1") == "1")
    }

    @Test func detectionNeedsAMaster() throws {
        let (site, _) = try makeSite(stacks: 2)
        try site.setDIP("S2", .inv, .detection(pins: 6))
        #expect(try site.lcd("S2") == "OK")
    }

    @Test func blankWhileOffAndVersionUnreadable() throws {
        let (site, _) = try makeSite(stacks: 2)
        try site.powerOff("S2")
        #expect(try site.lcd("S2") == "")
        #expect(try site.version("S2") == nil)
        #expect(try site.version("S1") == "4006")
    }

    @Test func unknownStackAndBusyPortAreRefused() throws {
        let (site, _) = try makeSite(stacks: 3)
        #expect(throws: SimulatorError.unknownStack("S9")) { try site.powerOn("S9") }
        #expect(throws: SimulatorError.self) {
            try site.plug(CableEdge(PortRef(stack: "S1", port: .a), PortRef(stack: "S3", port: .b)))
        }
        #expect(throws: SimulatorError.self) { try site.setDIP("S1", .addr, DIPPosition(parsing: "UDD")) }
    }

    @Test func stateIsPersistedAndReloadedIdentically() throws {
        let directory = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = SimulatedSite.stateFileURL(logPath: directory.appendingPathComponent("audit.db").path, siteName: "a")
        #expect(file.lastPathComponent == "audit.db.site-a.sim.json")
        let (site, clock) = try makeSite(stacks: 3, faults: [.pushFails(stack: "S2", reason: "x")], file: file)
        try isolate(site)
        try site.setDIP("S1", .inv, .detection(pins: 6))
        #expect(try site.lcd("S1") == "62")

        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.contains(#""addr" : "UDDDDD""#) && text.contains(#""push-fails:S2:x""#))
        let reloaded = try SimulatedSite(loading: file, clock: clock)
        #expect(reloaded.snapshot == site.snapshot)
        #expect(try reloaded.lcd("S1") == "1")
        let reopened = try SimulatedSite.openOrCreate(
            stateFile: file, configuration: SiteConfiguration(stackCount: 5), clock: clock)
        #expect(reopened.snapshot == reloaded.snapshot)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(leftovers == ["audit.db.site-a.sim.json"])
    }

    @Test func corruptStateFileIsAClearError() throws {
        let directory = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("x.sim.json")
        try Data("{".utf8).write(to: file)
        #expect(throws: SimulatorError.self) {
            try SimulatedSite(loading: file, clock: ManualClock(Timestamp(millisecondsSinceEpoch: 0)))
        }
    }

    @Test func faultsParseAndPrintTheCLISpelling() throws {
        let texts = [
            "push-fails:S2", "push-fails:S2:checksum error", "push-stalls:S3", "stale-version:S1",
            "power-cut-mid-push:S2", "skip-dip-restore:S3", "wrong-power-order",
        ]
        for text in texts { #expect(try SimFault(parsing: text).description == text) }
        #expect(throws: SimulatorError.self) { try SimFault(parsing: "melt-down:S1") }
        #expect(throws: SimulatorError.self) { try SimFault(parsing: "push-stalls") }
        #expect(throws: SimulatorError.self) { try makeSite(stacks: 2, faults: [.pushStalls(stack: "S7")]) }
    }
}
