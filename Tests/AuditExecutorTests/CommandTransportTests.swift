import AuditCrypto
import AuditDomain
import AuditLog
import Foundation
import Testing

@testable import AuditExecutor

@Suite struct CommandTransportTests {
    /// A temp dir with an image file and helpers to write executable scripts.
    struct Bench {
        let directory: URL
        let image: URL
        let imageDigest: Digest

        init() throws {
            directory = try makeTempDirectory()
            image = directory.appendingPathComponent("bms 4007.bin")
            let bytes = Array("firmware image bytes".utf8)
            try Data(bytes).write(to: image)
            imageDigest = SHA256.hash(bytes)
        }

        func script(_ name: String, _ body: String) throws -> String {
            let url = directory.appendingPathComponent(name)
            try Data(("#!/bin/sh\n" + body + "\n").utf8).write(to: url)
            chmod(url.path, 0o755)
            return url.path
        }

        func request(_ stack: String = "S2", serial: String = "SN-2") -> PushRequest {
            PushRequest(
                imagePath: image.path, imageSHA256: imageDigest, targetVersion: "4007", stack: stack, serial: serial)
        }

        func transport(_ push: String, version: String? = nil, timeout: Int64 = 10_000) throws -> CommandTransport {
            CommandTransport(
                configuration: try .init(
                    pushCommand: push, versionCommand: version, timeoutMilliseconds: timeout,
                    killGraceMilliseconds: 200))
        }

        func cleanUp() { try? FileManager.default.removeItem(at: directory) }
    }

    @Test func successReadsVersionLineProgressAndDigest() async throws {
        let bench = try Bench()
        defer { bench.cleanUp() }
        let flasher = try bench.script(
            "flash.sh",
            """
            echo "args: $#|$1|$2|$3|$4"
            echo PROGRESS=50
            echo PROGRESS=100
            echo "warning on stderr" >&2
            echo VERSION=$4
            """)
        let transport = try bench.transport("\(flasher) {image} {stack} {serial} {version}")
        let progress = ProgressLog()
        let outcome = try await transport.push(bench.request(), progress: { progress.record($0) })
        let expectedOutput =
            "args: 4|\(bench.image.path)|S2|SN-2|4007\nPROGRESS=50\nPROGRESS=100\nVERSION=4007\nwarning on stderr\n"
        guard case .completed(let version, _, let digest, let status) = outcome else {
            Issue.record("expected completion, got \(outcome)")
            return
        }
        #expect(version == "4007")
        #expect(status == 0)
        #expect(digest == SHA256.hash(expectedOutput))
        #expect(progress.all.first == 0 && progress.all.last == 100)
    }

    @Test func valuesAreNeverSplitOrInterpreted() async throws {
        let bench = try Bench()
        defer { bench.cleanUp() }
        let argsFile = bench.directory.appendingPathComponent("args")
        let flasher = try bench.script(
            "flash.sh", "for a in \"$@\"; do printf '<%s>\\n' \"$a\"; done > '\(argsFile.path)'\necho VERSION=1")
        let transport = try bench.transport("\(flasher) --serial={serial} '{stack}' {stack}")
        let outcome = try await transport.push(bench.request(serial: "x; rm -rf $HOME `id`"), progress: { _ in })
        #expect(outcome.isCompleted)
        let args = try String(contentsOf: argsFile, encoding: .utf8)
        #expect(args == "<--serial=x; rm -rf $HOME `id`>\n<{stack}>\n<S2>\n")
    }

    @Test func nonZeroExitIsAFailedOutcomeWithLastStderrLine() async throws {
        let bench = try Bench()
        defer { bench.cleanUp() }
        let flasher = try bench.script(
            "fail.sh", "echo started\necho 'connecting to gateway' >&2\necho 'BMS is in parallel' >&2\nexit 3")
        let outcome = try await bench.transport(flasher).push(bench.request(), progress: { _ in })
        guard case .failed(let reason, let status, _, let digest) = outcome else {
            Issue.record("expected failure, got \(outcome)")
            return
        }
        #expect(status == 3)
        #expect(reason == "exit status 3: BMS is in parallel")
        #expect(digest == SHA256.hash("started\nconnecting to gateway\nBMS is in parallel\n"))
    }

    @Test func hangingFlasherIsKilledAfterTheTimeout() async throws {
        let bench = try Bench()
        defer { bench.cleanUp() }
        let flasher = try bench.script("hang.sh", "echo PROGRESS=10\nsleep 600\necho VERSION=4007")
        // Killed, not waited for: had the 600 s sleep run out (a starved test pool once outlasted 30 s), the flasher would have exited 0 with its version. No
        // wall-clock bound: blocking tests elsewhere in the run can starve the test pool for longer than the hang.
        let outcome = try await bench.transport(flasher, timeout: 300).push(bench.request(), progress: { _ in })
        guard case .failed(let reason, let status, _, _) = outcome else {
            Issue.record("expected a timeout, got \(outcome)")
            return
        }
        #expect(reason == "timed out after 0.3 s")
        #expect(status == 128 + SIGTERM)
    }

    @Test func trappedTermIsFollowedByKill() async throws {
        let bench = try Bench()
        defer { bench.cleanUp() }
        let flasher = try bench.script("stubborn.sh", "trap '' TERM\nwhile :; do sleep 0.05; done")
        let outcome = try await bench.transport(flasher, timeout: 200).push(bench.request(), progress: { _ in })
        #expect(outcome.exitStatus == 128 + SIGKILL)
        #expect(outcome.isCompleted == false)
    }

    @Test func versionCommandReadsBackTrimmedStdout() async throws {
        let bench = try Bench()
        defer { bench.cleanUp() }
        let flasher = try bench.script("flash.sh", "echo flashed")
        let reader = try bench.script("version.sh", "[ \"$1\" = S2 ] && [ \"$2\" = SN-2 ] && printf '  4007 \\n'")
        let transport = try bench.transport(flasher, version: "\(reader) {stack} {serial}")
        let outcome = try await transport.push(bench.request(), progress: { _ in })
        guard case .completed(let version, _, _, _) = outcome else {
            Issue.record("expected completion, got \(outcome)")
            return
        }
        #expect(version == "4007")
        #expect(try await transport.readVersion(stack: "S2", serial: "SN-2") == "4007")
        #expect(try await transport.readVersion(stack: "S3", serial: "SN-3") == nil)
    }

    @Test func missingVersionIsAFailedOutcome() async throws {
        let bench = try Bench()
        defer { bench.cleanUp() }
        let flasher = try bench.script("flash.sh", "echo done")
        let outcome = try await bench.transport(flasher).push(bench.request(), progress: { _ in })
        guard case .failed(let reason, 0, _, _) = outcome else {
            Issue.record("expected failure, got \(outcome)")
            return
        }
        #expect(reason.contains("no VERSION= line"))
    }

    @Test func wrongImageDigestIsRefusedBeforeRunning() async throws {
        let bench = try Bench()
        defer { bench.cleanUp() }
        let marker = bench.directory.appendingPathComponent("ran")
        let flasher = try bench.script("flash.sh", "touch '\(marker.path)'\necho VERSION=4007")
        var request = bench.request()
        request.imageSHA256 = SHA256.hash("another image")
        let outcome = try await bench.transport(flasher).push(request, progress: { _ in })
        #expect(outcome.isCompleted == false)
        #expect(FileManager.default.fileExists(atPath: marker.path) == false)
    }

    @Test func missingProgramThrowsLaunchFailed() async throws {
        let bench = try Bench()
        defer { bench.cleanUp() }
        await #expect(throws: TransportError.self) {
            try await bench.transport("no-such-flasher-xyz {image}").push(bench.request(), progress: { _ in })
        }
    }

    @Test func templatesSplitSafelyAndRejectMistakes() throws {
        let template = try CommandTemplate(#"flash --image "{image}" --label 'S {stack}' x{{y}} a\ b"#)
        #expect(
            template.render([.image: "/a b/c.bin", .stack: "S1"])
                == ["flash", "--image", "/a b/c.bin", "--label", "S {stack}", "x{y}", "a b"])
        #expect(try CommandTemplate("f {serial}").render([.serial: "\"; ls"]) == ["f", "\"; ls"])
        for bad in ["", "   ", "f {nope}", "f 'open", "f {image", "f }", "{stack} x", "f \\"] {
            #expect(throws: TransportError.self) { try CommandTemplate(bad) }
        }
        #expect(throws: TransportError.self) {
            try CommandTransport.Configuration(pushCommand: "f", versionCommand: "v {image}")
        }
    }
}

@Suite struct FlasherProcessTests {
    @Test func childrenLeftHoldingTheOutputAreEnded() async throws {
        let directory = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = directory.appendingPathComponent("detach.sh")
        let pidFile = directory.appendingPathComponent("child.pid")
        try Data("#!/bin/sh\n(sleep 300; echo late) &\necho $! > '\(pidFile.path)'\necho VERSION=4007\n".utf8)
            .write(to: script)
        chmod(script.path, 0o755)
        let process = FlasherProcess(timeoutMilliseconds: 600_000, killGraceMilliseconds: 100)
        let result = try await process.run([script.path])
        // The run ends with the script, not with the 300 s child that still holds its output: no `late` line, and the
        // child is gone well before its sleep would have ended.
        #expect(result.status == 0 && !result.timedOut)
        #expect(result.stdoutText == "VERSION=4007\n")
        let child = try #require(
            Int32(try String(contentsOf: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(await exits(child, within: .seconds(20)), "child \(child) left running")
    }

    @Test func aNonZeroExitIsAResult() async throws {
        let process = FlasherProcess(timeoutMilliseconds: 10_000, killGraceMilliseconds: 100)
        let result = try await process.run(["/bin/sh", "-c", "echo out; echo err >&2; exit 7"])
        #expect(result.status == 7 && !result.timedOut)
        #expect(result.stdoutText == "out\n" && result.stderrText == "err\n")
    }

    @Test func linesArriveWhileTheProgramRuns() async throws {
        let lines = ProgressLog()
        let marker = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: marker) }
        let gate = marker.appendingPathComponent("go")
        // The program waits for a file the test creates only once it saw the first line: it must stream.
        let script = "echo PROGRESS=1; while [ ! -e '\(gate.path)' ]; do sleep 0.05; done; echo PROGRESS=2"
        let process = FlasherProcess(timeoutMilliseconds: 10_000, killGraceMilliseconds: 100)
        let result = try await process.run(["/bin/sh", "-c", script]) { line in
            lines.record(line == "PROGRESS=1" ? 1 : 2)
            if line == "PROGRESS=1" { _ = FileManager.default.createFile(atPath: gate.path, contents: nil) }
        }
        #expect(result.status == 0 && !result.timedOut)
        #expect(lines.all == [1, 2])
    }

    /// True once `pid` is gone or a zombie (ended, not yet reaped by its new parent).
    private func exits(_ pid: Int32, within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while true {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
            if let close = stat.lastIndex(of: ")"), stat[close...].dropFirst(2).first == "Z" { return true }
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}

@Suite struct CommandConfigurationTests {
    @Test func readsTheJSONForm() throws {
        let configuration = try CommandTransport.Configuration(
            json: try JSONValue(
                parsing: #"{"push_command": "flash {image}", "version_command": "ver {stack}", "timeout_seconds": 60}"#)
        )
        #expect(configuration.pushCommand.source == "flash {image}")
        #expect(configuration.versionCommand?.source == "ver {stack}")
        #expect(configuration.timeoutMilliseconds == 60_000)
        #expect(configuration.killGraceMilliseconds == 3_000)
        let minimal = try CommandTransport.Configuration(json: ["push_command": "f"])
        #expect(minimal.timeoutMilliseconds == 900_000 && minimal.versionCommand == nil)
        #expect(configuration.verifyImageDigest)
    }

    @Test func refusesMistakes() throws {
        let bad = [
            #"[]"#, #"{}"#, #"{"push_command": "f", "timeout": 5}"#, #"{"push_command": "f", "timeout_seconds": 0}"#,
            #"{"push_command": "f", "version_command": 3}"#, #"{"push_command": "f {bogus}"}"#,
            #"{"push_command": "f", "verify_image_sha256": "yes"}"#,
        ]
        for text in bad {
            let json = try JSONValue(parsing: text)
            #expect(throws: TransportError.self, "\(text)") { try CommandTransport.Configuration(json: json) }
        }
    }
}
