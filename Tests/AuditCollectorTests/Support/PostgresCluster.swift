import AuditTestSupport
import Foundation
import Subprocess

/// A throwaway PostgreSQL cluster for this test process: initdb into a temporary folder, a free port on
/// 127.0.0.1, a private socket folder; stopped (immediate shutdown) when the process exits.
///
/// One shared cluster per process; each test takes a database of its own with `database()`, so tests stay
/// independent. A test that restarts PostgreSQL makes a cluster of its own, so no other test sees the restart.
actor PostgresCluster {
    static let shared = PostgresCluster()

    init() {}

    static let binaries = "/usr/lib/postgresql/15/bin"

    struct Running: Sendable {
        var folder: String
        var port: Int
    }

    private var running: Running?
    private var databases = 0

    /// A new empty database's URL, the cluster started first if need be.
    func database() async throws -> String {
        let cluster = try await start()
        databases += 1
        let name = "t\(ProcessInfo.processInfo.processIdentifier)_\(databases)"
        let created = try await Run.tool(
            "\(Self.binaries)/createdb", ["-h", "127.0.0.1", "-p", String(cluster.port), "-U", "postgres", name])
        guard created.status == 0 else { throw ClusterError(step: "createdb", output: created.stderr) }
        return "postgres://postgres@127.0.0.1:\(cluster.port)/\(name)"
    }

    var port: Int {
        get async throws { try await start().port }
    }

    private func start() async throws -> Running {
        if let running { return running }
        let folder = FileManager.default.temporaryDirectory.appending(path: "audit-pg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/socket", withIntermediateDirectories: true)
        let asRoot = getuid() == 0
        if asRoot {
            let chown = try await Run.tool("chown", ["-R", "postgres:postgres", folder])
            guard chown.status == 0 else { throw ClusterError(step: "chown", output: chown.stderr) }
        }
        func asPostgres(_ tool: String, _ arguments: [String]) async throws -> Run.Result {
            asRoot
                ? try await Run.tool("runuser", ["-u", "postgres", "--", "\(Self.binaries)/\(tool)"] + arguments)
                : try await Run.tool("\(Self.binaries)/\(tool)", arguments)
        }
        let initdb = try await asPostgres(
            "initdb", ["-D", folder + "/data", "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
        guard initdb.status == 0 else { throw ClusterError(step: "initdb", output: initdb.stderr) }
        // A port taken between the probe and the bind is retried on another.
        for _ in 0..<5 {
            let port = try FreePort.pick()
            let options =
                "-p \(port) -k \(folder)/socket -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200"
            let started = try await asPostgres(
                "pg_ctl",
                ["start", "-w", "-t", "60", "-D", folder + "/data", "-l", folder + "/server.log", "-o", options])
            if started.status == 0 {
                let cluster = Running(folder: folder, port: port)
                running = cluster
                ClusterShutdown.register(dataFolder: folder + "/data", folder: folder)
                return cluster
            }
        }
        throw ClusterError(
            step: "pg_ctl start",
            output: (try? String(contentsOfFile: folder + "/server.log", encoding: .utf8)) ?? "no server log")
    }

    /// Stops the cluster the hard way (SIGKILL of the postmaster) and starts it again on the same port: what a
    /// PostgreSQL crash under load looks like to the collector.
    func restart() async throws {
        guard let running else { return }
        let asRoot = getuid() == 0
        let prefix = asRoot ? ["runuser", "-u", "postgres", "--"] : []
        let stop = prefix + ["\(Self.binaries)/pg_ctl", "stop", "-m", "immediate", "-D", running.folder + "/data"]
        _ = try await Run.tool(stop[0], Array(stop.dropFirst()))
        let options =
            "-p \(running.port) -k \(running.folder)/socket -c listen_addresses=127.0.0.1 -c max_connections=200"
        let start =
            prefix + [
                "\(Self.binaries)/pg_ctl", "start", "-w", "-t", "60", "-D", running.folder + "/data", "-l",
                running.folder + "/server.log", "-o", options,
            ]
        let result = try await Run.tool(start[0], Array(start.dropFirst()))
        guard result.status == 0 else { throw ClusterError(step: "restart", output: result.stderr) }
    }
}

struct ClusterError: Error, CustomStringConvertible {
    var step: String
    var output: String
    var description: String { "PostgreSQL test cluster: \(step) failed: \(output)" }
}

/// Stops every cluster at process exit: each postmaster gets SIGQUIT (an immediate shutdown) and its folder goes.
enum ClusterShutdown {
    static let lock = NSLock()
    nonisolated(unsafe) static var clusters: [(data: String, folder: String)] = []

    static func register(dataFolder data: String, folder root: String) {
        let first = lock.withLock {
            clusters.append((data, root))
            return clusters.count == 1
        }
        guard first else { return }
        atexit {
            for (data, root) in ClusterShutdown.lock.withLock({ ClusterShutdown.clusters }) {
                guard let pidFile = try? String(contentsOfFile: data + "/postmaster.pid", encoding: .utf8),
                    let pid = pidFile.split(separator: "\n").first.flatMap({ Int32($0) })
                else { continue }
                kill(pid, SIGQUIT)
                try? FileManager.default.removeItem(atPath: root)
            }
        }
    }
}

/// A TCP port of 127.0.0.1 that was free a moment ago: bind to port 0 and read what the kernel gave.
enum FreePort {
    static func pick() throws -> Int {
        guard let port = Loopback.freePort() else {
            throw ClusterError(step: "bind", output: String(cString: strerror(errno)))
        }
        return port
    }
}
