import AuditCrypto
import AuditDomain
import AuditLog
import Foundation

@testable import AuditExecutor

/// A fresh temp directory per test, so state files and scripts never collide between parallel tests.
func makeTempDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("audit-executor-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A site at a fixed instant with no detection delay unless asked, in memory unless given a file.
func makeSite(
    stacks: Int = 3, faults: [SimFault] = [], detectionMilliseconds: Int64 = 0, file: URL? = nil
) throws -> (SimulatedSite, ManualClock) {
    let clock = ManualClock(Timestamp(millisecondsSinceEpoch: 1_700_000_000_000))
    let configuration = SiteConfiguration(
        name: "test", stackCount: stacks, detectionMilliseconds: detectionMilliseconds, faults: faults)
    return (try SimulatedSite(configuration: configuration, stateFile: file, clock: clock), clock)
}

/// Turns every BMS off, unplugs the chain and makes every stack a master: procedure steps 1–3.
func isolate(_ site: SimulatedSite) throws {
    for id in site.stackIDs { try site.powerOff(id) }
    for cable in site.snapshot.pluggedCables { try site.unplug(cable) }
    for id in site.stackIDs { try site.setDIP(id, .addr, .master(pins: 6)) }
    for id in site.stackIDs { try site.powerOn(id) }
}

/// Plugs the original chain back, restores the original switches and powers on from the last slave.
func restore(_ site: SimulatedSite) throws {
    for id in site.stackIDs { try site.powerOff(id) }
    for cable in site.snapshot.originalCables { try site.plug(cable) }
    for stack in site.snapshot.stacks {
        try site.setDIP(stack.id, .addr, stack.originalAddr)
        try site.setDIP(stack.id, .inv, stack.originalInv)
    }
    for id in site.stackIDs.reversed() { try site.powerOn(id) }
}

func pushRequest(_ stack: String, version: String = "4007", attempt: Int = 1) -> PushRequest {
    PushRequest(
        imagePath: "/images/bms-4007.bin", imageSHA256: SHA256.hash("image"), targetVersion: version, stack: stack,
        serial: "SIM-test-\(stack.dropFirst())", attempt: attempt)
}

/// Collects progress callbacks from a `@Sendable` closure.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int] = []

    func record(_ value: Int) { lock.withLock { values.append(value) } }

    var all: [Int] { lock.withLock { values } }
}
