import Foundation
import Subprocess

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What one run of an external program did; a non-zero exit or a timeout is a result, never a thrown error.
struct FlasherRun: Sendable {
    /// The exit status, or 128 + signal number when a signal ended it (the shell's convention).
    var status: Int32
    /// The signal that ended the program, so a kill is not reported as an ordinary exit status.
    var signal: Int32? = nil
    var stdout: [UInt8]
    var stderr: [UInt8]
    var timedOut: Bool

    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// Runs a program without a shell through swift-subprocess, in a process group of its own.
///
/// Output is read as it streams. On timeout the group gets SIGTERM, then SIGKILL after the grace period. When the
/// program exits, reading stops with what was written (swift-subprocess ends reads held open by children) and any
/// child it left in its group is killed, so a flasher's leftovers can neither keep the run open nor outlive it.
struct FlasherProcess: Sendable {
    var timeoutMilliseconds: Int64
    var killGraceMilliseconds: Int64

    /// `onOutputLine` sees every complete stdout line as it arrives (used for `PROGRESS=`).
    func run(_ argv: [String], onOutputLine: @escaping @Sendable (String) -> Void = { _ in })
        async throws(TransportError) -> FlasherRun
    {
        guard let program = argv.first else { throw .launchFailed(program: "", reason: "empty command") }
        var options = PlatformOptions()
        // 0: the child leads a new group whose id is its pid, so signals to the group never reach us.
        options.processGroupID = 0
        let grace = Duration.milliseconds(killGraceMilliseconds)
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: grace)]
        let executable: Executable =
            program.contains("/") ? .path(.init(stringLiteral: program)) : .name(program)
        let timeout = Duration.milliseconds(timeoutMilliseconds)
        let outcome: ExecutionResult<Captured, SequenceOutput, SequenceOutput>
        do {
            outcome = try await Subprocess.run(
                executable, arguments: Arguments(Array(argv.dropFirst())), platformOptions: options, input: .none,
                output: .sequence, error: .sequence
            ) { execution in
                try await Self.capture(execution, timeout: timeout, grace: grace, onOutputLine: onOutputLine)
            }
        } catch let error as SubprocessError {
            throw .launchFailed(program: program, reason: Self.reason(error))
        } catch {
            throw .launchFailed(program: program, reason: "\(error)")
        }
        // Children the program left in its group: end them now that it is gone (ESRCH when there are none).
        kill(-outcome.processIdentifier.value, SIGKILL)
        let captured = outcome.closureResult
        var run = FlasherRun(status: 0, stdout: captured.stdout, stderr: captured.stderr, timedOut: captured.timedOut)
        switch outcome.terminationStatus {
        case .exited(let code): run.status = code
        case .signaled(let signal):
            run.status = 128 + signal
            run.signal = signal
        }
        return run
    }

    /// Both pipes read at once (a full pipe would block the program), and a timer that tears the group down.
    private static func capture(
        _ execution: Execution<NoInput, SequenceOutput, SequenceOutput>, timeout: Duration, grace: Duration,
        onOutputLine: @escaping @Sendable (String) -> Void
    ) async throws -> Captured {
        try await withThrowingTaskGroup(of: Part.self) { group in
            group.addTask { .stdout(try await collect(execution.standardOutput, onLine: onOutputLine)) }
            group.addTask { .stderr(try await collect(execution.standardError, onLine: { _ in })) }
            group.addTask {
                try await Task.sleep(for: timeout)
                await execution.teardown(using: [
                    .gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: grace)
                ])
                return .timedOut
            }
            var captured = Captured()
            var streamsOpen = 2
            while streamsOpen > 0, let part = try await group.next() {
                switch part {
                case .stdout(let bytes):
                    captured.stdout = bytes
                    streamsOpen -= 1
                case .stderr(let bytes):
                    captured.stderr = bytes
                    streamsOpen -= 1
                case .timedOut: captured.timedOut = true
                }
            }
            group.cancelAll()
            // A timer that already fired has torn the group down; one still sleeping is cancelled here.
            while let part = try? await group.next() {
                if case .timedOut = part { captured.timedOut = true }
            }
            return captured
        }
    }

    /// Every byte of one stream, handing each complete line to `onLine` as soon as its newline arrives.
    private static func collect(_ stream: SubprocessOutputSequence, onLine: @Sendable (String) -> Void)
        async throws -> [UInt8]
    {
        var bytes: [UInt8] = []
        var lineStart = 0
        for try await buffer in stream {
            buffer.withUnsafeBytes { bytes.append(contentsOf: $0) }
            while let newline = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) {
                onLine(String(decoding: bytes[lineStart..<newline], as: UTF8.self))
                lineStart = newline + 1
            }
        }
        return bytes
    }

    private static func reason(_ error: SubprocessError) -> String {
        error.code == .executableNotFound ? "not found or not executable" : "\(error)"
    }

    struct Captured: Sendable {
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var timedOut = false
    }

    private enum Part: Sendable {
        case stdout([UInt8])
        case stderr([UInt8])
        case timedOut
    }
}
