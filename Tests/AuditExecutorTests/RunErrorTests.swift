import AuditCore
import AuditDomain
import Foundation
import Testing

@testable import AuditExecutor

/// Each way `audit run` refuses to start: the exit status it carries, its one line, and no log left behind.
@Suite struct RunErrorTests {
    enum Case: String, CaseIterable {
        case missingImage, imageIsADirectory, missingAnswers, badAnswers, missingFlasherConfig, badFlasherConfig
        case noTerminal, badStacks, unknownFault
    }

    @Test(arguments: [
        (Case.missingImage, SysExit.notFound, "no such file"),
        (.imageIsADirectory, .invalidInput, "is not a regular file"),
        (.missingAnswers, .notFound, "answers file: no such file"),
        (.badAnswers, .invalidInput, "line 1: not JSON"),
        (.missingFlasherConfig, .notFound, "flasher config: no such file"),
        (.badFlasherConfig, .invalidInput, "unknown key \"push\""),
        (.noTerminal, .usage, "no terminal to ask the technician"),
        (.badStacks, .usage, "invalid stacks: stack list entry 'S1': not ID:SERIAL"),
        (.unknownFault, .usage, "invalid fault 'gremlins': unknown fault"),
    ])
    func refusesBeforeTheLogExists(kind: Case, status: SysExit, fragment: String) async throws {
        let directory = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func file(_ name: String, _ text: String) throws -> String {
            let path = directory.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let log = directory.appendingPathComponent("audit.db").path
        var request = RunRequest(
            site: "s", logPath: log, imagePath: try file("fw.bin", "image"), targetVersion: "4007", actor: "t")
        request.transport = .manual
        request.answersPath = try file("answers.jsonl", "")
        switch kind {
        case .missingImage: request.imagePath = directory.appendingPathComponent("none.bin").path
        case .imageIsADirectory: request.imagePath = directory.path
        case .missingAnswers: request.answersPath = directory.appendingPathComponent("none.jsonl").path
        case .badAnswers: request.answersPath = try file("bad.jsonl", "{not json")
        case .missingFlasherConfig:
            request.transport = .command
            request.flasherConfigPath = directory.appendingPathComponent("none.json").path
        case .badFlasherConfig:
            request.transport = .command
            request.flasherConfigPath = try file("flasher.json", #"{"push": "f"}"#)
        case .noTerminal: request.answersPath = nil
        case .badStacks: request.stacks = "S1"
        case .unknownFault:
            request.transport = .sim
            request.simFaults = ["gremlins"]
        }
        let launcher = RunLauncher(output: NullSink(), outputIsTerminal: false, inputIsTerminal: false)
        let error = await #expect(throws: RunError.self) { try await launcher.launch(request) }
        #expect(error?.exitStatus == status, "\(String(describing: error))")
        #expect(error?.message.contains(fragment) == true, "\(String(describing: error))")
        #expect(error?.message.contains("\n") == false)
        #expect(!FileManager.default.fileExists(atPath: log), "a refused run created the log")
    }
}
