import AuditCrypto
import AuditLog
import AuditTestSupport
import Foundation
import Subprocess
import Testing

@Suite struct DurabilityTests {
    @Test func severalProcessesAppendingAtOnceMakeOneGaplessValidChain() async throws {
        let scratch = try TemporaryDirectory()
        let db = try await makeLog(in: scratch, events: 0)
        let writers = 4
        let perWriter = 60
        var files: [String] = []
        for writer in 0..<writers {
            let lines = (0..<perWriter).map { #"{"site":"w\#(writer)","type":"reading.taken","data":{"i":\#($0)}}"# }
            let file = scratch.path("feed-\(writer).jsonl")
            try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
            files.append(file)
        }
        let results = try await withThrowingTaskGroup(of: ProcessResult.self) { group in
            for file in files {
                group.addTask {
                    try await CLI.audit(["append", "--db", db, "--jsonl", file, "--per-line", "--format", "json"])
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == writers)
        for result in results { #expect(result.status == 0, "\(result.stderr)") }
        let verify = try await CLI.audit(["verify", "--db", db])
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.hasPrefix("intact: \(writers * perWriter) events"))
        let seqs = try await CLI.sqlite(db, "SELECT COUNT(*), MIN(seq), MAX(seq), COUNT(DISTINCT site) FROM events")
            .stdout
        #expect(seqs.trimmingCharacters(in: .newlines) == "\(writers * perWriter)|1|\(writers * perWriter)|\(writers)")
    }

    /// A writer killed with SIGKILL mid-run keeps every event it acknowledged, and the chain stays valid.
    @Test(arguments: [40, 150, 400])
    func aKilledWriterKeepsEveryAcknowledgedEvent(killAfter acknowledged: Int) async throws {
        let scratch = try TemporaryDirectory()
        let db = try await makeLog(in: scratch, events: 0)
        let run = try await Subprocess.run(
            .path(.init(CLI.auditPath)),
            arguments: ["append", "--db", db, "--jsonl", "-", "--per-line", "--format", "json"],
            environment: CLI.environment(), input: .inputWriter, output: .sequence, error: .discarded
        ) { execution in
            try await withThrowingTaskGroup(of: [Int64].self) { group in
                // Feed more lines than will be acknowledged so the kill lands in the middle of the run.
                group.addTask {
                    for batch in 0..<1000 {
                        let lines = (0..<100).map { index in
                            #"{"site":"s","type":"reading.taken","event_id":"\#(UUID())","data":{"i":\#(batch * 100 + index)}}"#
                                + "\n"
                        }
                        // Once the writer is killed the pipe is closed: stop feeding, that is the point.
                        do { _ = try await execution.standardInputWriter.write(lines.joined()) } catch { break }
                    }
                    return []
                }
                group.addTask {
                    var seqs: [Int64] = []
                    var buffer: [UInt8] = []
                    for try await chunk in execution.standardOutput {
                        buffer += chunk.withUnsafeBytes { Array($0) }
                        while let newline = buffer.firstIndex(of: 0x0A) {
                            let object = try JSONSerialization.jsonObject(with: Data(buffer[..<newline]))
                            buffer.removeSubrange(...newline)
                            let seq = try #require((object as? [String: Any])?["seq"] as? NSNumber)
                            seqs.append(seq.int64Value)
                        }
                        if seqs.count >= acknowledged { break }
                    }
                    try execution.send(signal: .kill)
                    return seqs
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
        }
        #expect(run.terminationStatus == .signaled(SIGKILL))
        let acknowledgedSeqs = run.closureResult
        #expect(acknowledgedSeqs.count >= acknowledged)

        let verify = try await CLI.audit(["verify", "--db", db, "--format", "json"])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        let stored = try await CLI.sqlite(db, "SELECT seq FROM events ORDER BY seq").stdoutLines.compactMap {
            Int64($0)
        }
        #expect(Set(acknowledgedSeqs).isSubset(of: Set(stored)))
        #expect(stored == Array(1...Int64(stored.count)))
    }

    /// Starts `audit` with `arguments`, sends SIGKILL after `delay` ns, and says whether the kill ended it.
    static func killed(_ arguments: [String], after delay: UInt64) async throws -> Bool {
        let run = try await Subprocess.run(
            .path(.init(CLI.auditPath)), arguments: .init(arguments), environment: CLI.environment(),
            input: .none, output: .discarded, error: .discarded
        ) { execution in
            try await Task.sleep(nanoseconds: delay)
            // The child may have finished already: then there is nothing to kill, which is one outcome.
            do { try execution.send(signal: .kill) } catch {}
        }
        return run.terminationStatus == .signaled(SIGKILL)
    }

    /// The next kill delay: earlier after a kill that came too late to matter, later after one that came first,
    /// so the kills settle where the command is busy writing whatever the machine's load.
    static func nextDelay(_ delay: UInt64, landedInside: Bool) -> UInt64 {
        landedInside ? delay * 13 / 10 + 500_000 : max(delay * 7 / 10, 100_000)
    }

    /// `audit init` killed at any instant leaves no log or a complete one, and never blocks the next `init`.
    @Test func aKilledInitLeavesNoLogOrAWorkingLog() async throws {
        let scratch = try TemporaryDirectory()
        var delay: UInt64 = 20_000_000
        var outcomes: [String: Int] = [:]
        for trial in 0..<100 {
            let db = scratch.path("trial-\(trial).db")
            let killed = try await Self.killed(["init", "--db", db], after: delay)
            if FileManager.default.fileExists(atPath: db) {
                // In-process, so a hundred trials start a hundred processes, not two hundred.
                let chain = try SQLiteEventStore.open(at: db).verify()
                #expect(chain.isIntact && chain.size == 0, "trial \(trial) (killed: \(killed))")
                outcomes["complete log", default: 0] += 1
            } else {
                #expect(killed, "trial \(trial): init exited without a log")
                _ = try SQLiteEventStore.create(at: db)
                outcomes["no file", default: 0] += 1
            }
            delay = Self.nextDelay(delay, landedInside: !FileManager.default.fileExists(atPath: db) || killed)
        }
        // Both outcomes must occur, or the kills never landed inside `init`.
        #expect(outcomes.count == 2, "\(outcomes)")
    }

    /// `audit keygen` killed at any instant never leaves a state the next `keygen` refuses to repair.
    @Test func aKilledKeygenLeavesNoKeyOrAPairTheNextKeygenCompletes() async throws {
        let scratch = try TemporaryDirectory()
        var delay: UInt64 = 20_000_000
        var outcomes: Set<Bool> = []
        for trial in 0..<60 {
            let directory = scratch.path("keys-\(trial)")
            let killed = try await Self.killed(["keygen", "--out", directory], after: delay)
            outcomes.insert(killed)
            let privateURL = URL(fileURLWithPath: directory + "/signing-key.pem")
            let publicURL = URL(fileURLWithPath: directory + "/signing-key.pub.pem")
            let hasPrivate = FileManager.default.fileExists(atPath: privateURL.path)
            let hasPublic = FileManager.default.fileExists(atPath: publicURL.path)
            #expect(hasPrivate || !hasPublic, "trial \(trial): a public key without its private key")
            if hasPrivate, !hasPublic {
                // The one half state a kill may leave: the next keygen finishes it.
                let again = try await CLI.audit(["keygen", "--out", directory])
                #expect(again.status == 0, "trial \(trial): \(again.stderr)")
                #expect(again.stdout.contains("finished the key pair"), "trial \(trial): \(again.stdout)")
            }
            if hasPrivate {
                let privateKey = try KeyFiles.loadPrivateKey(at: privateURL)
                #expect(try KeyFiles.loadPublicKey(at: publicURL) == privateKey.publicKey, "trial \(trial)")
            }
            delay = Self.nextDelay(delay, landedInside: killed)
        }
        #expect(outcomes == [true, false], "the kills never landed inside keygen, or always did")
    }
}
