import Foundation
import Subprocess

/// Runs real programs (`audit`, `audit-server`, PostgreSQL's tools) to completion, awaiting each child.
enum Run {
    struct Result: Sendable {
        var status: Int32
        var signaled: Bool
        var stdout: String
        var stderr: String

        var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }
    }

    static let outputLimit = 64 * 1024 * 1024

    /// The folder the test bundle's sibling executables are built into.
    static let binaries: URL = {
        signal(SIGPIPE, SIG_IGN)
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            if FileManager.default.isExecutableFile(atPath: directory.appending(path: "audit-server").path) {
                return directory
            }
            directory.deleteLastPathComponent()
        }
        return Bundle.main.bundleURL.deletingLastPathComponent()
    }()

    static var auditPath: String { binaries.appending(path: "audit").path }
    static var serverPath: String { binaries.appending(path: "audit-server").path }

    static var environment: Subprocess.Environment {
        .inherit.updating(["AUDIT_DB": nil, "AUDIT_ACTOR": "test-technician", "AUDIT_KEY": nil])
    }

    @discardableResult
    static func audit(_ arguments: [String], stdin: String = "") async throws -> Result {
        try await tool(auditPath, arguments, stdin: stdin)
    }

    @discardableResult
    static func server(_ arguments: [String]) async throws -> Result {
        try await tool(serverPath, arguments)
    }

    static func tool(_ executable: String, _ arguments: [String], stdin: String = "") async throws -> Result {
        let program: Executable = executable.hasPrefix("/") ? .path(.init(executable)) : .name(executable)
        let result = try await Subprocess.run(
            program, arguments: Arguments(arguments), environment: environment, input: .string(stdin),
            output: .string(limit: outputLimit), error: .string(limit: outputLimit))
        let (status, signaled): (Int32, Bool) =
            switch result.terminationStatus {
            case .exited(let code): (code, false)
            case .signaled(let signal): (signal, true)
            }
        return Result(
            status: status, signaled: signaled, stdout: result.standardOutput,
            stderr: result.standardError)
    }
}
