import AuditTestSupport
import Foundation
import Subprocess
import Testing

/// The result of running a real process to completion.
struct ProcessResult: Sendable {
    /// The exit code, or the signal number when a signal ended the process (then `signaled` is true).
    var status: Int32
    var signaled: Bool
    var stdout: String
    var stderr: String

    var stdoutLines: [String] { stdout.split(separator: "\n").map(String.init) }
    var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }

    /// True when the process was ended by `signal` rather than exiting; `status == SIGKILL` alone could be an exit 9.
    func wasKilled(by signal: Int32) -> Bool { signaled && status == signal }
}

/// Runs the built `audit` binary and the real tools (sqlite3, openssl) the way a user would, awaiting each child.
enum CLI {
    /// More than any command here prints; a runaway child fails its test instead of filling memory.
    static let outputLimit = 64 * 1024 * 1024

    /// The `audit` executable built next to the test bundle.
    static let auditPath: String = {
        // Writing to a child that already exited must be an error to handle, not a signal that ends the run.
        signal(SIGPIPE, SIG_IGN)
        if let path = ProcessInfo.processInfo.environment["AUDIT_BIN"] { return path }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appending(path: "audit").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        return Bundle.main.bundleURL.deletingLastPathComponent().appending(path: "audit").path
    }()

    /// The environment every child sees: no inherited log path, a fixed actor, then `extra`.
    static func environment(_ extra: [String: String] = [:]) -> Subprocess.Environment {
        var values: [Subprocess.Environment.Key: String?] = ["AUDIT_DB": nil, "AUDIT_ACTOR": "test-technician"]
        for (key, value) in extra { values[Subprocess.Environment.Key(stringLiteral: key)] = value }
        return .inherit.updating(values)
    }

    @discardableResult
    static func audit(
        _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
        workingDirectory: String? = nil
    ) async throws -> ProcessResult {
        try await run(
            auditPath, arguments, stdin: stdin, environment: environment, workingDirectory: workingDirectory)
    }

    /// Runs `executable` (a path, or a name looked up in PATH) to completion with `stdin` as its whole input.
    @discardableResult
    static func run(
        _ executable: String, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
        workingDirectory: String? = nil
    ) async throws -> ProcessResult {
        _ = auditPath
        let program: Executable = executable.hasPrefix("/") ? .path(.init(executable)) : .name(executable)
        // The input is read from a file, not a pipe: a child that exits without reading it is not a write error.
        let input = try openInput(stdin ?? "")
        defer { close(input) }
        let result = try await Subprocess.run(
            program, arguments: Arguments(arguments), environment: Self.environment(environment),
            workingDirectory: workingDirectory.map { .init($0) },
            input: .fileDescriptor(.init(rawValue: input), closeAfterSpawningProcess: false),
            output: .string(limit: outputLimit), error: .string(limit: outputLimit))
        let (status, signaled): (Int32, Bool) =
            switch result.terminationStatus {
            case .exited(let code): (code, false)
            case .signaled(let signal): (signal, true)
            }
        return ProcessResult(
            status: status, signaled: signaled, stdout: result.standardOutput,
            stderr: result.standardError)
    }

    static func sqlite(_ path: String, _ sql: String) async throws -> ProcessResult {
        try await run("sqlite3", [path, sql])
    }

    /// `text` in an unlinked temporary file, open for reading; the caller closes the descriptor.
    static func openInput(_ text: String) throws -> Int32 {
        let url = FileManager.default.temporaryDirectory.appending(path: "audit-stdin-\(UUID().uuidString)")
        try Data(text.utf8).write(to: url)
        defer { unlink(url.path) }
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: url.path]) }
        return descriptor
    }
}

/// The CLI tests' name for the shared temporary directory; other branches still say `Scratch`.
typealias Scratch = TemporaryDirectory

/// Fails the test unless the command failed with exactly one line on stderr containing `fragment`.
func expectOneLineError(
    _ result: ProcessResult, contains fragment: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(result.status != 0, "expected failure, got success: \(result.stdout)", sourceLocation: sourceLocation)
    #expect(result.stderrLines.count == 1, "stderr: \(result.stderr)", sourceLocation: sourceLocation)
    #expect(result.stderr.contains(fragment), "stderr: \(result.stderr)", sourceLocation: sourceLocation)
}

/// Creates a log with `count` note events and returns its path.
func makeLog(in scratch: borrowing TemporaryDirectory, events count: Int, site: String = "site-a") async throws
    -> String
{
    let db = scratch.path("audit.db")
    let initResult = try await CLI.audit(["init", "--db", db])
    #expect(initResult.status == 0, "\(initResult.stderr)")
    if count > 0 {
        let lines = (1...count).map { #"{"site":"\#(site)","type":"reading.taken","data":{"n":\#($0)}}"# }
        let result = try await CLI.audit(["append", "--db", db, "--jsonl", "-"], stdin: lines.joined(separator: "\n"))
        #expect(result.status == 0, "\(result.stderr)")
    }
    return db
}
