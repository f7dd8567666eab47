import AuditDomain
import AuditLog
import Foundation
import Testing

/// What users expect of a command line: --version, a list of sites, the procedures, and plain English.
@Suite struct ConventionTests {
    @Test func versionNamesTheFormatsItReadsAndWrites() async throws {
        let result = try await CLI.audit(["--version"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutLines.count == 2, "\(result.stdout)")
        #expect(result.stdoutLines.first?.hasPrefix("audit ") == true)
        #expect(
            result.stdoutLines.last
                == "log schema \(SQLiteEventStore.schemaVersion), hash format \(SQLiteEventStore.hashFormat), "
                + "report format audit-report-v1")
    }

    @Test func sitesListsEverySiteWithPhaseLastActivityAndVerdict() async throws {
        let scratch = try Scratch()
        let db = try makeScenarioLog(in: scratch, site: "plant-7")
        let note = try await CLI.audit(["append", "--db", db, "--site", "yard", "--type", "reading.taken"])
        #expect(note.status == 0, "\(note.stderr)")
        let json = try await CLI.audit(["sites", "--db", db, "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let objects = try json.stdoutLines.map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(objects.map { $0["site"] as? String } == ["plant-7", "yard"])
        #expect(objects[0]["phase"] as? String == "completed")
        #expect(objects[0]["verdict"] as? String == "pass")
        #expect(objects[1]["phase"] is NSNull && objects[1]["verdict"] is NSNull)
        #expect((objects[1]["events"] as? NSNumber)?.intValue == 1)
        #expect((objects[1]["last_activity"] as? String).flatMap(Timestamp.init(rfc3339:)) != nil)
        let text = try await CLI.audit(["sites", "--db", db])
        #expect(text.stdoutLines.first?.hasPrefix("SITE") == true)
        #expect(text.stdoutLines.count == 3)
        #expect(text.stdoutLines[1].hasPrefix("plant-7") && text.stdoutLines[1].hasSuffix("PASS"))
    }

    @Test func procedureShowListsStepsAndPromptIDs() async throws {
        let result = try await CLI.audit(["procedure", "show", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let procedures = try #require(object["procedures"] as? [[String: Any]])
        let bundled = Procedure.bundled
        #expect(procedures.map { $0["id"] as? String } == bundled.map(\.id))
        let phases = try #require(procedures.first?["phases"] as? [[String: Any]])
        let steps = phases.flatMap { ($0["steps"] as? [[String: Any]]) ?? [] }.compactMap { $0["id"] as? String }
        #expect(steps == bundled[0].steps.map(\.id))
        let prompts = try #require(object["prompts"] as? [[String: Any]]).compactMap { $0["id"] as? String }
        #expect(prompts.contains("power:<STACK>") && prompts.contains("dip:<STACK>:ADDR"))
        let text = try await CLI.audit(["procedure", "show"])
        #expect(text.stdout.contains("isolate.power-off"))
        #expect(text.stdout.contains("prompt ids for --answers files:"))
    }

    @Test func oneStackIsNotOneStacks() async throws {
        let scratch = try Scratch()
        let result = try await CLI.audit(["demo", "--db", scratch.path("audit.db"), "--stacks", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("site: demo, 1 stack, fault: none, "), "\(result.stdout)")
    }
}
