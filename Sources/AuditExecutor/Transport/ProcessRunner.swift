import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What one run of an external program did.
struct ProcessResult: Sendable {
    /// The exit status, or 128 + signal number when a signal ended it (the shell's convention).
    var status: Int32
    var stdout: [UInt8]
    var stderr: [UInt8]
    var timedOut: Bool

    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// Runs a program without a shell, collects its output and enforces a timeout by SIGTERM, then SIGKILL, sent to
/// its whole process group (Foundation starts children in their own group on Linux) so a flasher's children
/// cannot keep it, or its pipes, alive.
struct ProcessRunner: Sendable {
    var timeoutMilliseconds: Int64
    var killGraceMilliseconds: Int64
    /// How long output may keep flowing after the program exits, from children it left behind.
    var drainMilliseconds: Int64 = 2_000
    /// How often the run is checked; small enough for responsive progress, large enough to cost nothing.
    var pollMilliseconds: Int64 = 10

    /// `onOutputLine` sees every complete stdout line as it arrives, on a reader thread (used for `PROGRESS=`);
    /// `onPoll` runs in the caller's task at each check, where it may call non-escaping callbacks.
    func run(
        _ argv: [String], onOutputLine: @escaping @Sendable (String) -> Void = { _ in }, onPoll: () -> Void = {}
    ) async throws(TransportError) -> ProcessResult {
        let program = try Self.resolve(argv[0])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = Array(argv.dropFirst())
        process.standardInput = FileHandle.nullDevice
        let stdoutPipe = Pipe()
        let stderrPipe = Pipe()
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        let stdout = PipeCollector(stdoutPipe.fileHandleForReading, onLine: onOutputLine)
        let stderr = PipeCollector(stderrPipe.fileHandleForReading, onLine: { _ in })
        do {
            try process.run()
        } catch {
            throw .launchFailed(program: argv[0], reason: error.localizedDescription)
        }
        // The parent's copies of the write ends must go, or the readers never see end of file.
        try? stdoutPipe.fileHandleForWriting.close()
        try? stderrPipe.fileHandleForWriting.close()
        stdout.start()
        stderr.start()
        let pid = process.processIdentifier
        // Decided now: once the leader is reaped, getpgid no longer answers for its group.
        let target = getpgid(pid) == pid ? -pid : pid
        let deadline = ContinuousClock.now + .milliseconds(timeoutMilliseconds)
        var timedOut = false
        var leaderExit: ContinuousClock.Instant?
        var leftoversKilled = false
        var leaderStatus: Int32?
        // Foundation on Linux sees the end of a run only when every holder of its inherited status socket is gone,
        // so children left behind would keep the run "running": the leader's own exit is watched separately.
        while process.isRunning {
            onPoll()
            let now = ContinuousClock.now
            if leaderExit == nil, let status = Self.exitStatus(pid) {
                leaderExit = now
                leaderStatus = status
            }
            if let leaderExit {
                if !leftoversKilled, now - leaderExit >= .milliseconds(drainMilliseconds) {
                    kill(target, SIGKILL)
                    leftoversKilled = true
                }
                // An unrelated process spawned meanwhile may hold the status socket too: stop waiting for it.
                if leftoversKilled || (stdout.finished && stderr.finished) { break }
            } else if now >= deadline {
                timedOut = true
                await terminate(process, target: target)
                break
            }
            try? await Task.sleep(for: .milliseconds(pollMilliseconds))
        }
        // Killed on timeout: read its status ourselves, Foundation may wait on a status socket held elsewhere.
        for _ in 0..<200 where leaderStatus == nil {
            leaderStatus = Self.exitStatus(pid)
            if leaderStatus == nil { try? await Task.sleep(for: .milliseconds(pollMilliseconds)) }
        }
        if leaderStatus == nil { process.waitUntilExit() }
        // Children may still hold the pipes: give them a moment, then end them.
        if !(await waitForEOF(stdout, stderr, milliseconds: timedOut ? 200 : drainMilliseconds)) {
            kill(target, SIGKILL)
            _ = await waitForEOF(stdout, stderr, milliseconds: 1_000)
        }
        onPoll()
        let status =
            leaderStatus
            ?? (process.terminationReason == .uncaughtSignal
                ? 128 + process.terminationStatus : process.terminationStatus)
        return ProcessResult(status: status, stdout: stdout.bytes, stderr: stderr.bytes, timedOut: timedOut)
    }

    private func terminate(_ process: Process, target: Int32) async {
        kill(target, SIGTERM)
        let killAt = ContinuousClock.now + .milliseconds(killGraceMilliseconds)
        while process.isRunning, ContinuousClock.now < killAt {
            try? await Task.sleep(for: .milliseconds(pollMilliseconds))
        }
        kill(target, SIGKILL)
    }

    private func waitForEOF(_ collectors: PipeCollector..., milliseconds: Int64) async -> Bool {
        let until = ContinuousClock.now + .milliseconds(milliseconds)
        while !collectors.allSatisfy(\.finished) {
            if ContinuousClock.now >= until { return false }
            try? await Task.sleep(for: .milliseconds(pollMilliseconds))
        }
        return true
    }

    /// The child's status once it has exited (128 + signal when killed), without reaping it (WNOWAIT):
    /// Foundation still collects it.
    static func exitStatus(_ pid: Int32) -> Int32? {
        #if canImport(Glibc)
            var info = siginfo_t()
            guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0,
                info._sifields._sigchld.si_pid == pid
            else { return nil }
            let status = info._sifields._sigchld.si_status
            return info.si_code == CLD_EXITED ? status : 128 + status
        #else
            return nil
        #endif
    }

    /// Finds the program on PATH when it has no `/`, as a shell would, but without running one.
    static func resolve(_ program: String) throws(TransportError) -> String {
        if program.contains("/") {
            guard access(program, X_OK) == 0 else {
                throw .launchFailed(program: program, reason: "not found or not executable")
            }
            return program
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(program)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        throw .launchFailed(program: program, reason: "not found on PATH")
    }
}

/// Drains one pipe on its own thread so a chatty program never blocks on a full pipe.
private final class PipeCollector: @unchecked Sendable {
    private let handle: FileHandle
    private let onLine: @Sendable (String) -> Void
    private let lock = NSLock()
    private var buffer: [UInt8] = []
    private var pendingLine: [UInt8] = []
    private var done = false

    init(_ handle: FileHandle, onLine: @escaping @Sendable (String) -> Void) {
        self.handle = handle
        self.onLine = onLine
    }

    func start() {
        let thread = Thread { [self] in
            let fd = handle.fileDescriptor
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
                append(chunk[0..<count])
            }
            try? handle.close()
            lock.withLock { done = true }
        }
        thread.start()
    }

    private func append(_ bytes: ArraySlice<UInt8>) {
        var lines: [String] = []
        lock.withLock {
            buffer.append(contentsOf: bytes)
            for byte in bytes {
                if byte == UInt8(ascii: "\n") {
                    lines.append(String(decoding: pendingLine, as: UTF8.self))
                    pendingLine.removeAll(keepingCapacity: true)
                } else {
                    pendingLine.append(byte)
                }
            }
        }
        for line in lines { onLine(line) }
    }

    var finished: Bool { lock.withLock { done } }

    var bytes: [UInt8] { lock.withLock { buffer } }
}
