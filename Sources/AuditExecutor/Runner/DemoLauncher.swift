import AuditDomain
import AuditLog
import Foundation

/// `audit demo`: a complete simulated site visit into a real log, with a small fake image beside it.
public struct DemoLauncher: Sendable {
    public static let targetVersion = "4007"
    public static let imageName = "demo-firmware-4007.bin"
    /// The actor of a demo when nobody is named: the simulator did the work, and says so.
    public static let simulatedActor = "audit-demo-simulator"

    public var launcher: RunLauncher

    public init(launcher: RunLauncher) { self.launcher = launcher }

    /// Runs (or finishes) the demo site and returns the result with the lines to print after the findings' header.
    public func run(
        logPath: String, site: String, stacks: Int, faults: [String], actor: String, stopAfterEvents: Int64? = nil
    ) async throws(RunError) -> RunResult {
        guard stacks >= 1 else { throw .invalidStacks("--stacks must be at least 1") }
        var request = RunRequest(
            site: site, logPath: logPath, imagePath: "", targetVersion: Self.targetVersion, actor: actor)
        request.transport = .sim
        request.simStacks = stacks
        request.simFaults = faults
        request.stopAfterEvents = stopAfterEvents
        request.refusesCompletedSite = true
        _ = try RunLauncher.faults(request)
        request.imagePath = try Self.writeImage(besideLog: logPath)
        return try await launcher.launch(request)
    }

    /// A log in a new folder of its own, for a demo that names none: a simulation never goes into `$AUDIT_DB` or
    /// the user's default log, where it would sit beside real visits. Its image is written beside it.
    public static func freshLogPath(
        temporaryDirectory: String = NSTemporaryDirectory()
    ) throws(RunError) -> String {
        var template = Array((temporaryDirectory as NSString).appendingPathComponent("audit-demo-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw .log(
                .database(
                    "cannot make a folder for the demo in \(temporaryDirectory): \(String(cString: strerror(errno)))"))
        }
        return (String(cString: made) as NSString).appendingPathComponent("audit.db")
    }

    /// The same bytes every time, so every demo log names the same image digest.
    static var imageBytes: Data {
        Data("AUDIT-DEMO-FIRMWARE \(targetVersion)\n".utf8)
            + (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    }

    /// Writes the demo image beside the log unless its exact bytes are already there. It is written whole under a
    /// temporary name, made durable, then renamed into place: a full disk or a kill never leaves a truncated image
    /// for the next demo to push, and one an older demo left is replaced.
    static func writeImage(besideLog logPath: String) throws(RunError) -> String {
        let directory = (logPath as NSString).deletingLastPathComponent
        let folder = directory.isEmpty ? "." : directory
        let path = (folder as NSString).appendingPathComponent(imageName)
        let bytes = imageBytes
        if FileManager.default.contents(atPath: path) == bytes { return path }
        let staging = (folder as NSString).appendingPathComponent(".\(imageName).partial-\(UUID().uuidString)")
        defer { unlink(staging) }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw .imageNotWritten(path: path, reason: error.localizedDescription)
        }
        do throws(FileWriteError) { try DurableFile.create(bytes, at: staging) } catch {
            throw .imageNotWritten(path: path, reason: error.description)
        }
        guard rename(staging, path) == 0 else {
            throw .imageNotWritten(path: path, reason: String(cString: strerror(errno)))
        }
        return path
    }

    /// What happened to pushes that needed more than one attempt: a retry is a fact the reader should see.
    public static func pushNotes(_ state: SiteState) -> [String] {
        state.stacks.filter { $0.pushAttempts > 1 }.map { stack in
            let failures = stack.pushes.compactMap(\.failed?.value)
            let last = stack.pushes.last.map { $0.status.description } ?? "none"
            return "\(stack.id): \(stack.pushAttempts) push attempts, last \(last); failures: "
                + failures.joined(separator: "; ")
        }
    }
}
