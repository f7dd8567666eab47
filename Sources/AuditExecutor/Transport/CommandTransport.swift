import AuditCrypto
import AuditLog
import Foundation
import Logging

/// Pushes with a configured external flasher, so any vendor tool that has a command line can be recorded.
///
/// The push command is a `CommandTemplate`; it runs without a shell. Its exit status, duration and the SHA-256 of
/// its output (stdout bytes followed by stderr bytes, a fixed order so the digest does not depend on scheduling)
/// are recorded. The version is read back with `versionCommand` (stdout, trimmed) when configured, else from the
/// last `VERSION=…` line of the flasher's output. Lines `PROGRESS=nn` on stdout drive the progress callback.
public struct CommandTransport: FirmwareTransport {
    public struct Configuration: Sendable, Hashable {
        public var pushCommand: CommandTemplate
        /// May use `{stack}` and `{serial}` only: it also runs when nothing is being pushed.
        public var versionCommand: CommandTemplate?
        public var timeoutMilliseconds: Int64
        /// Between SIGTERM and SIGKILL when the timeout hits.
        public var killGraceMilliseconds: Int64
        /// Refuse to run when the image's SHA-256 differs from the request: never flash an unexpected file.
        public var verifyImageDigest: Bool

        public init(
            pushCommand: String, versionCommand: String? = nil, timeoutMilliseconds: Int64 = 900_000,
            killGraceMilliseconds: Int64 = 3_000, verifyImageDigest: Bool = true
        ) throws(TransportError) {
            self.pushCommand = try CommandTemplate(pushCommand)
            self.versionCommand = try versionCommand.map { text throws(TransportError) in
                try CommandTemplate(text, allowed: [.stack, .serial])
            }
            guard timeoutMilliseconds > 0 else { throw .invalidConfiguration("timeout must be positive") }
            self.timeoutMilliseconds = timeoutMilliseconds
            self.killGraceMilliseconds = max(0, killGraceMilliseconds)
            self.verifyImageDigest = verifyImageDigest
        }
    }

    public let configuration: Configuration
    private let clock: any AuditClock
    private let logger: Logger

    public init(
        configuration: Configuration, clock: any AuditClock = SystemClock(),
        logger: Logger = Logger(label: "audit.transport.command")
    ) {
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
    }

    public func push(_ request: PushRequest, progress: @Sendable (Int) -> Void) async throws(TransportError)
        -> PushOutcome
    {
        let start = clock.now()
        func elapsed() -> Int64 { clock.now().milliseconds(since: start) }
        if configuration.verifyImageDigest, let problem = Self.checkImage(request) {
            return .failed(reason: problem, exitStatus: nil, durationMilliseconds: elapsed(), outputDigest: nil)
        }
        let argv = configuration.pushCommand.render([
            .image: request.imagePath, .stack: request.stack, .serial: request.serial, .version: request.targetVersion,
        ])
        logger.info("running flasher for \(request.stack): \(argv)")
        progress(0)
        let process = process
        // The callback is only ever called while the flasher runs, so it may be handed to the line reader.
        let result = try await withoutActuallyEscaping(progress) { progress async throws(TransportError) in
            let forward = RisingProgress(progress)
            return try await process.run(argv) { line in
                if let percent = Self.progressValue(line) { forward.report(percent) }
            }
        }
        return try await outcome(of: result, request, elapsed: elapsed)
    }

    public func readVersion(stack: String, serial: String) async throws(TransportError) -> String? {
        guard let versionCommand = configuration.versionCommand else { return nil }
        let result = try await process.run(versionCommand.render([.stack: stack, .serial: serial]))
        guard !result.timedOut, result.status == 0 else { return nil }
        return try? PromptKind.version(result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private var process: FlasherProcess {
        FlasherProcess(
            timeoutMilliseconds: configuration.timeoutMilliseconds,
            killGraceMilliseconds: configuration.killGraceMilliseconds)
    }

    private func outcome(of result: FlasherRun, _ request: PushRequest, elapsed: () -> Int64)
        async throws(TransportError) -> PushOutcome
    {
        let digest = SHA256.hash(result.stdout + result.stderr)
        if result.timedOut {
            return .failed(
                reason: "timed out after \(Self.seconds(configuration.timeoutMilliseconds)) s",
                exitStatus: result.status, durationMilliseconds: elapsed(), outputDigest: digest)
        }
        guard result.status == 0 else {
            let reason = Self.lastLine(result.stderrText) ?? Self.lastLine(result.stdoutText) ?? "no output"
            let ending = result.signal.map { "killed by signal \($0)" } ?? "exit status \(result.status)"
            return .failed(
                reason: "\(ending): \(reason)", exitStatus: result.status,
                durationMilliseconds: elapsed(), outputDigest: digest)
        }
        let version: String?
        if configuration.versionCommand != nil {
            version = try await readVersion(stack: request.stack, serial: request.serial)
        } else {
            version = Self.versionLine(result.stdoutText + "\n" + result.stderrText)
        }
        guard let version else {
            let how =
                configuration.versionCommand == nil
                ? "no VERSION= line in the flasher's output" : "the version command gave no valid version"
            return .failed(
                reason: "flasher exited 0 but no version was read back: \(how)", exitStatus: result.status,
                durationMilliseconds: elapsed(), outputDigest: digest)
        }
        return .completed(
            versionReadBack: version, durationMilliseconds: elapsed(), outputDigest: digest, exitStatus: result.status)
    }

    /// Hashes the image; returns why it must not be flashed, or nil.
    static func checkImage(_ request: PushRequest) -> String? {
        let actual: Digest
        do { actual = try Digest.sha256(fileAt: request.imagePath) } catch { return "image: \(error)" }
        guard actual == request.imageSHA256 else {
            return "image SHA-256 mismatch: expected \(request.imageSHA256.hex), file has \(actual.hex)"
        }
        return nil
    }

    static func progressValue(_ line: String) -> Int? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("PROGRESS="), let value = Int(trimmed.dropFirst("PROGRESS=".count)) else {
            return nil
        }
        return min(100, max(0, value))
    }

    /// The last `VERSION=…` line, validated like a typed version.
    static func versionLine(_ output: String) -> String? {
        let lines = output.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let line = lines.last(where: { $0.hasPrefix("VERSION=") }) else { return nil }
        return try? PromptKind.version(String(line.dropFirst("VERSION=".count)))
    }

    static func lastLine(_ text: String) -> String? {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .last { !$0.isEmpty }
    }

    static func seconds(_ milliseconds: Int64) -> String {
        milliseconds % 1000 == 0 ? "\(milliseconds / 1000)" : String(format: "%.3g", Double(milliseconds) / 1000)
    }
}

/// Passes on only percentages above the last one, from whichever task reads the flasher's output.
private final class RisingProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let progress: @Sendable (Int) -> Void
    private var reported = 0

    init(_ progress: @escaping @Sendable (Int) -> Void) { self.progress = progress }

    func report(_ percent: Int) {
        lock.withLock {
            guard percent > reported else { return }
            reported = percent
            progress(percent)
        }
    }
}
