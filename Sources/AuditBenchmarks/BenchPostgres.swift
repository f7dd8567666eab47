import AuditTestSupport
import Foundation

/// A throwaway PostgreSQL cluster for `audit-bench collector`: initdb into a temporary folder, a free port on
/// 127.0.0.1, stopped (immediate) and removed at the end.
///
/// A small copy of the idea of Tests/AuditCollectorTests/Support/PostgresCluster.swift: that one is async on
/// swift-subprocess inside the test bundle; sharing it would put test support in a product, so it is not shared.
final class BenchPostgres {
    static let binaries: String = {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        let newest = versions.compactMap(Int.init).max().map(String.init) ?? "15"
        return "\(root)/\(newest)/bin"
    }()

    let folder: String
    let port: Int
    private var stopped = false

    init() throws {
        folder = FileManager.default.temporaryDirectory.appending(path: "audit-bench-pg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/socket", withIntermediateDirectories: true)
        if getuid() == 0 { try Shell.check("chown", ["-R", "postgres:postgres", folder]) }
        try Self.asPostgres("initdb", ["-D", folder + "/data", "-U", "postgres", "--auth=trust", "-E", "UTF8"])
        port = try Self.freePort()
        // The server outlives pg_ctl and would hold a captured pipe open: pg_ctl's output goes to a file.
        try Self.asPostgres(
            "pg_ctl",
            [
                "start", "-w", "-t", "60", "-D", folder + "/data", "-l", folder + "/server.log", "-o",
                "-p \(port) -k \(folder)/socket -c listen_addresses=127.0.0.1 -c max_connections=100",
            ], output: folder + "/pg_ctl.out")
    }

    func url(_ database: String) -> String { "postgres://postgres@127.0.0.1:\(port)/\(database)" }

    func createDatabase(_ name: String) throws {
        try Shell.check("\(Self.binaries)/createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", name])
    }

    /// Runs SQL through psql, stdin from `input` when given; returns psql's trimmed output.
    @discardableResult
    func psql(_ database: String, _ arguments: [String], input: String? = nil) throws -> String {
        try Shell.check(
            "\(Self.binaries)/psql", [url(database), "-XAtq", "-v", "ON_ERROR_STOP=1"] + arguments, input: input
        )
        .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func stop() {
        guard !stopped else { return }
        stopped = true
        _ = try? Self.asPostgres("pg_ctl", ["stop", "-m", "immediate", "-D", folder + "/data"])
        try? FileManager.default.removeItem(atPath: folder)
    }

    deinit { stop() }

    /// PostgreSQL refuses to run as root: as root, its tools run as the postgres user.
    @discardableResult
    static func asPostgres(_ tool: String, _ arguments: [String], output: String? = nil) throws -> String {
        let (executable, all) =
            getuid() == 0
            ? ("runuser", ["-u", "postgres", "--", "\(binaries)/\(tool)"] + arguments)
            : ("\(binaries)/\(tool)", arguments)
        guard let output else { return try Shell.check(executable, all) }
        try Shell.run(executable, all, output: output)
        return ""
    }

    static func freePort() throws -> Int {
        guard let port = Loopback.freePort() else {
            throw BenchError("no free port: \(String(cString: strerror(errno)))")
        }
        return port
    }
}

/// Child processes for the benchmark: run to completion, or start and read a line.
enum Shell {
    /// Runs `executable` (a path, or a name looked up in PATH) and returns its stdout; throws on a non-zero exit.
    @discardableResult
    static func check(_ executable: String, _ arguments: [String], input: String? = nil, stdin: String? = nil) throws
        -> String
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
        process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        let inputPipe = Pipe()
        if let stdin {
            guard let file = FileHandle(forReadingAtPath: stdin) else { throw BenchError("cannot read \(stdin)") }
            process.standardInput = file
        } else if input != nil {
            process.standardInput = inputPipe
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        if let input {
            inputPipe.fileHandleForWriting.write(Data(input.utf8))
            try inputPipe.fileHandleForWriting.close()
        }
        // Read stderr beside stdout so neither pipe fills and stalls the child.
        let errorData = ErrorBox()
        let reader = Thread { errorData.data = error.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorData.done { usleep(1000) }
        guard process.terminationStatus == 0 else {
            throw BenchError(
                "\(executable) \(arguments.prefix(3).joined(separator: " ")) exited \(process.terminationStatus): "
                    + String(decoding: errorData.data, as: UTF8.self).prefix(500))
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Runs `executable` (a path) with stdout and stderr to the file `output` and waits with waitpid: for a tool
    /// that leaves a daemon behind (pg_ctl start), which Foundation's Process was seen never to reap here.
    static func run(_ executable: String, _ arguments: [String], output: String) throws {
        let search = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin").split(separator: ":")
        guard
            let path = executable.hasPrefix("/")
                ? executable
                : search.map({ "\($0)/\(executable)" }).first(where: FileManager.default.isExecutableFile)
        else { throw BenchError("\(executable) is not on PATH") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard spawned == 0 else { throw BenchError("cannot start \(path): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw BenchError("waitpid \(path): \(String(cString: strerror(errno)))") }
        }
        guard status == 0 else {
            let said = String(decoding: FileManager.default.contents(atPath: output) ?? Data(), as: UTF8.self)
            throw BenchError("\(path) exited with status \(status): \(said.prefix(500))")
        }
    }

    final class ErrorBox: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Data?
        var data: Data {
            get { lock.withLock { value ?? Data() } }
            set { lock.withLock { value = newValue } }
        }
        var done: Bool { lock.withLock { value != nil } }
    }
}
