import Foundation
import Testing

@Suite struct DurabilityTests {
    @Test func severalProcessesAppendingAtOnceMakeOneGaplessValidChain() throws {
        let scratch = try Scratch()
        let db = try makeLog(in: scratch, events: 0)
        let writers = 4
        let perWriter = 60
        let processes: [Process] = try (0..<writers).map { writer in
            let lines = (0..<perWriter).map { #"{"site":"w\#(writer)","type":"reading.taken","data":{"i":\#($0)}}"# }
            let file = scratch.path("feed-\(writer).jsonl")
            try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CLI.auditPath)
            process.arguments = ["append", "--db", db, "--jsonl", file, "--per-line", "--format", "json"]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            return process
        }
        for process in processes {
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }
        let verify = try CLI.audit(["verify", "--db", db])
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.hasPrefix("intact: \(writers * perWriter) events"))
        let seqs = try CLI.sqlite(db, "SELECT COUNT(*), MIN(seq), MAX(seq), COUNT(DISTINCT site) FROM events").stdout
        #expect(seqs.trimmingCharacters(in: .newlines) == "\(writers * perWriter)|1|\(writers * perWriter)|\(writers)")
    }

    /// A writer killed with SIGKILL mid-run keeps every event it acknowledged, and the chain stays valid.
    @Test(arguments: [40, 150, 400])
    func aKilledWriterKeepsEveryAcknowledgedEvent(killAfter acknowledged: Int) throws {
        let scratch = try Scratch()
        let db = try makeLog(in: scratch, events: 0)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.auditPath)
        process.arguments = ["append", "--db", db, "--jsonl", "-", "--per-line", "--format", "json"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        // Feed more lines than will be acknowledged so the kill lands in the middle of the run.
        let feeder = Thread {
            for index in 0..<100_000 {
                let line = #"{"site":"s","type":"reading.taken","event_id":"\#(UUID())","data":{"i":\#(index)}}"# + "\n"
                do { try input.fileHandleForWriting.write(contentsOf: Data(line.utf8)) } catch { return }
            }
        }
        feeder.start()
        var acknowledgedSeqs: [Int64] = []
        var buffer = Data()
        let reader = output.fileHandleForReading
        while acknowledgedSeqs.count < acknowledged {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            while let newline = buffer.firstIndex(of: 0x0A) {
                let line = buffer[buffer.startIndex..<newline]
                buffer.removeSubrange(buffer.startIndex...newline)
                let object = try JSONSerialization.jsonObject(with: Data(line)) as! [String: Any]
                acknowledgedSeqs.append((object["seq"] as! NSNumber).int64Value)
            }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        try? input.fileHandleForWriting.close()
        #expect(acknowledgedSeqs.count >= acknowledged)

        let verify = try CLI.audit(["verify", "--db", db, "--format", "json"])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        let stored = try CLI.sqlite(db, "SELECT seq FROM events ORDER BY seq").stdoutLines.compactMap { Int64($0) }
        #expect(Set(acknowledgedSeqs).isSubset(of: Set(stored)))
        #expect(stored == Array(1...Int64(stored.count)))
    }
}
