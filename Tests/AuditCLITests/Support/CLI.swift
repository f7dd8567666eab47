import Foundation
import Testing

/// The result of running a real process to completion.
struct ProcessResult: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String

    var stdoutLines: [String] { stdout.split(separator: "\n").map(String.init) }
    var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }
}

/// Runs the built `audit` binary and the real tools (sqlite3, openssl) the way a user would.
enum CLI {
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

    @discardableResult
    static func audit(
        _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]
    ) throws -> ProcessResult {
        try run(auditPath, arguments, stdin: stdin, environment: environment)
    }

    @discardableResult
    static func run(
        _ executable: String, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]
    ) throws -> ProcessResult {
        _ = auditPath
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
        process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
        var env = ProcessInfo.processInfo.environment
        env["AUDIT_DB"] = nil
        env["AUDIT_ACTOR"] = "test-technician"
        env.merge(environment) { _, new in new }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { try? input.fileHandleForWriting.write(contentsOf: Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        // Read both pipes before waiting so a chatty child cannot fill a pipe and block.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    static func sqlite(_ path: String, _ sql: String) throws -> ProcessResult {
        try run("sqlite3", [path, sql])
    }
}

/// A fresh directory per test, removed when the test ends.
struct Scratch: ~Copyable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appending(path: "audit-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appending(path: name).path }
}

/// Fails the test unless the command failed with exactly one line on stderr containing `fragment`.
func expectOneLineError(
    _ result: ProcessResult, contains fragment: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(result.status != 0, "expected failure, got success: \(result.stdout)", sourceLocation: sourceLocation)
    #expect(result.stderrLines.count == 1, "stderr: \(result.stderr)", sourceLocation: sourceLocation)
    #expect(result.stderr.contains(fragment), "stderr: \(result.stderr)", sourceLocation: sourceLocation)
}

/// Creates a log with `count` note events and returns its path.
func makeLog(in scratch: borrowing Scratch, events count: Int, site: String = "site-a") throws -> String {
    let db = scratch.path("audit.db")
    let initResult = try CLI.audit(["init", "--db", db])
    #expect(initResult.status == 0, "\(initResult.stderr)")
    if count > 0 {
        let lines = (1...count).map { #"{"site":"\#(site)","type":"reading.taken","data":{"n":\#($0)}}"# }
        let result = try CLI.audit(["append", "--db", db, "--jsonl", "-"], stdin: lines.joined(separator: "\n"))
        #expect(result.status == 0, "\(result.stderr)")
    }
    return db
}
