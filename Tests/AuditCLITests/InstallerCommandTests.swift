import AuditDomain
import AuditTestSupport
import Foundation
import Testing

/// `audit init --installer`, `audit installer set`, and the actor every event gets, through the binary.
@Suite struct InstallerCommandTests {
    static func actors(_ db: String) async throws -> [String] {
        try await CLI.sqlite(db, "SELECT actor FROM events ORDER BY seq").stdoutLines
    }

    static let site = ["--site", "plant-7"]

    @Test func theInstallerIsEveryEventsActorAndIsRecordedInTheRunAndTheReport() async throws {
        let scratch = try TemporaryDirectory()
        let db = scratch.path("audit.db")
        let created = try await CLI.audit(["init", "--db", db, "--installer", "Ana Ruiz", "--company", "Volt GmbH"])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdoutLines.last == "installer Ana Ruiz, Volt GmbH")
        // AUDIT_ACTOR is set in every child (CLI.environment): the log's installer comes first.
        let steps: [[String]] = [
            ["record", "site", "--stacks", "S1:BMS-1,S2:BMS-2"],
            ["record", "start", "--target-version", "4007", "--image-sha256", String(repeating: "ab", count: 32)],
            ["record", "power", "--stack", "S1", "--state", "off", "--actor", "Ben Okafor"],
        ]
        for step in steps {
            let result = try await CLI.audit(step + Self.site + ["--db", db])
            #expect(result.status == 0, "\(step): \(result.stderr)")
        }
        #expect(try await Self.actors(db) == ["Ana Ruiz", "Ana Ruiz", "Ben Okafor"])
        let payload = try await CLI.sqlite(db, "SELECT payload FROM events WHERE type = 'procedure.started'").stdout
        #expect(payload.contains(#""installer":"Ana Ruiz""#))
        #expect(payload.contains(#""company":"Volt GmbH""#))

        let set = try await CLI.audit(["installer", "set", "--db", db, "--name", "Carla Diaz"])
        #expect(set.status == 0, "\(set.stderr)")
        let shown = try await CLI.audit(["installer", "--db", db, "--format", "json"])
        #expect(shown.stdout.trimmingCharacters(in: .newlines) == #"{"company":null,"installer":"Carla Diaz"}"#)
        let note = try await CLI.audit(["record", "note", "--text", "door sticks", "--db", db] + Self.site)
        #expect(note.status == 0)
        #expect(try await Self.actors(db).last == "Carla Diaz")

        let keys = try await makeKeys(in: scratch)
        let folder = try await makeReport(db: db, site: "plant-7", key: keys.privateKey, in: scratch)
        let json = try String(contentsOfFile: folder + "/report.json", encoding: .utf8)
        #expect(json.contains(#""installer":"Ana Ruiz""#))
        #expect(json.contains(#""company":"Volt GmbH""#))
        let html = try String(contentsOfFile: folder + "/report.html", encoding: .utf8)
        #expect(html.contains("<dt>Installer</dt><dd>Ana Ruiz · company Volt GmbH</dd>"))
        #expect(html.contains("<dt>Signing key id</dt>"))
    }

    @Test func aGuidedRunRecordsTheLogsInstallerInProcedureStarted() async throws {
        let scratch = try TemporaryDirectory()
        let db = scratch.path("audit.db")
        let created = try await CLI.audit(["init", "--db", db, "--installer", "Ana Ruiz", "--company", "Volt GmbH"])
        #expect(created.status == 0, "\(created.stderr)")
        let demo = try await CLI.audit(["demo", "--db", db, "--site", "yard-3", "--stacks", "1"])
        #expect(demo.status == 0, "\(demo.stderr)")
        let payload = try await CLI.sqlite(db, "SELECT payload FROM events WHERE type = 'procedure.started'").stdout
        #expect(payload.contains(#""installer":"Ana Ruiz""#), "\(payload)")
        #expect(payload.contains(#""company":"Volt GmbH""#), "\(payload)")
    }

    @Test(arguments: [
        // Extra arguments of `record note`, its environment, and a fragment of the one stderr line.
        (["--actor", "unknown"], [String: String](), "--actor 'unknown' cannot name who recorded an event"),
        (["--actor", ""], [:], "--actor '' cannot name who recorded an event"),
        ([], ["AUDIT_ACTOR": "unknown"], "AUDIT_ACTOR 'unknown' cannot name who recorded an event"),
        ([], ["AUDIT_ACTOR": ""], "audit installer set --name NAME"),
    ])
    func anActorThatNamesNobodyIsRefusedAndNothingIsRecorded(
        extra: [String], environment: [String: String], fragment: String
    ) async throws {
        let scratch = try TemporaryDirectory()
        let db = try await makeLog(in: scratch, events: 0)
        let registered = try await CLI.audit(["record", "site", "--stacks", "S1:BMS-1", "--db", db] + Self.site)
        #expect(registered.status == 0)
        let result = try await CLI.audit(
            ["record", "note", "--text", "n", "--db", db] + Self.site + extra, environment: environment)
        expectOneLineError(result, contains: fragment)
        #expect(result.status == 65)
        let appended = try await CLI.audit(
            ["append", "--db", db, "--type", "reading.taken", "--site", "other"] + extra, environment: environment)
        expectOneLineError(appended, contains: fragment)
        #expect(appended.status == 65)
        #expect(try await RunFixtures.eventCount(db) == 1)
    }

    @Test func initRefusesAnInstallerThatNamesNobodyAndLeavesNoLog() async throws {
        let scratch = try TemporaryDirectory()
        let db = scratch.path("audit.db")
        let refused = try await CLI.audit(["init", "--db", db, "--installer", "unknown"])
        expectOneLineError(refused, contains: "--installer 'unknown' cannot name who recorded an event")
        #expect(refused.status == 65)
        #expect(!FileManager.default.fileExists(atPath: db))
        let usage = try await CLI.audit(["init", "--db", db, "--company", "Volt GmbH"])
        expectOneLineError(usage, contains: "--company needs --installer NAME")
        #expect(usage.status == 64)
        let none = try await CLI.audit(["installer", "--db", try await makeLog(in: scratch, events: 0)])
        expectOneLineError(none, contains: "no installer set")
        #expect(none.status == 66)
    }

    @Test func aJSONLinesLineWhoseActorNamesNobodyIsRefusedByNumber() async throws {
        let scratch = try TemporaryDirectory()
        let db = try await makeLog(in: scratch, events: 0)
        let lines = #"{"site":"s","type":"x.y"}"# + "\n" + #"{"site":"s","type":"x.y","actor":"unknown"}"#
        let result = try await CLI.audit(["append", "--db", db, "--jsonl", "-"], stdin: lines)
        expectOneLineError(result, contains: "line 2: actor 'unknown' names nobody")
        #expect(result.status == 65)
        #expect(try await RunFixtures.eventCount(db) == 0)
    }
}
