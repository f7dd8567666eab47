import AuditDomain
import AuditTestSupport
import Foundation
import Testing

/// `audit record <kind> ... --corrects SEQ --reason TEXT` through the real binary.
@Suite struct CorrectionCommandTests {
    /// A clean 3-stack run imported up to, not including, `procedure.completed`; returns the log and S2's original.
    static func openRun(_ scratch: borrowing TemporaryDirectory) async throws -> (db: String, original: Int64) {
        let db = try await makeLog(in: scratch, events: 0)
        let lines = ScenarioBuilder(site: "plant-7", stackCount: 3).build().jsonLines.split(separator: "\n")
            .filter { !$0.contains(#""procedure.completed""#) }
        let imported = try await CLI.audit(
            ["append", "--db", db, "--jsonl", "-"], stdin: lines.joined(separator: "\n"))
        #expect(imported.status == 0, "\(imported.stderr)")
        let seq = try await CLI.sqlite(
            db,
            "SELECT min(seq) FROM events WHERE type = 'dip.observed' AND stack = 'S2' AND payload LIKE '%\"addr\"%'")
        return (db, try #require(Int64(seq.stdout.trimmingCharacters(in: .whitespacesAndNewlines))))
    }

    static func verdict(_ db: String, _ rule: String) async throws -> String? {
        let result = try await CLI.audit(["check", "--db", db, "--site", "plant-7", "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let findings = try #require(object["findings"] as? [[String: Any]])
        return findings.first { $0["rule"] as? String == rule }?["verdict"] as? String
    }

    static func correctDIP(_ db: String, seq: Int64, to position: String, reason: String) async throws
        -> ProcessResult
    {
        try await CLI.audit([
            "record", "dip", "--db", db, "--site", "plant-7", "--stack", "S2", "--bank", "addr", "--position",
            position, "--corrects", String(seq), "--reason", reason,
        ])
    }

    @Test func aCorrectionReplacesTheValueTheRulesReadAndTheLatestCorrectionWins() async throws {
        let scratch = try TemporaryDirectory()
        let (db, original) = try await Self.openRun(scratch)
        #expect(try await Self.verdict(db, "dip.addr-restored") == "pass")

        let wrong = try await Self.correctDIP(db, seq: original, to: "UUDDDD", reason: "misread the bank")
        #expect(wrong.status == 0, "\(wrong.stderr)")
        #expect(wrong.stdout.hasPrefix("recorded dip.observed seq "))
        #expect(try await Self.verdict(db, "dip.addr-restored") == "fail")

        let right = try await Self.correctDIP(db, seq: original, to: "DUDDDD", reason: "read it again: pin 2 up")
        #expect(right.status == 0, "\(right.stderr)")
        #expect(try await Self.verdict(db, "dip.addr-restored") == "pass")

        // The mistaken observation stays: three ADDR observations of S2's original are in the log.
        let payloads = try await CLI.sqlite(
            db, "SELECT payload FROM events WHERE payload LIKE '%\"corrects\":\(original)%'")
        #expect(payloads.stdoutLines.count == 2)
        #expect(payloads.stdout.contains(#""reason":"misread the bank""#))

        let completed = try await CLI.audit(["record", "complete", "--db", db, "--site", "plant-7"])
        #expect(completed.status == 0)
        #expect(try await Self.verdict(db, "record.no-late-entries") == "pass")
        // After completion a correction is still accepted, as a late entry.
        let late = try await Self.correctDIP(db, seq: original, to: "DUDDDD", reason: "checked once more")
        #expect(late.status == 0)
        #expect(try await Self.verdict(db, "record.no-late-entries") == "fail")
    }

    @Test(arguments: [
        // Each refusal: the arguments after `record`, the exit status, and a fragment of the one stderr line.
        (
            ["power", "--stack", "S1", "--state", "off", "--corrects", "9999", "--reason", "typo"], Int32(66),
            "cannot correct event 9999: it is not an event of site 'plant-7'"
        ),
        (
            ["lcd", "--stack", "S2", "--code", "62", "--corrects", "ORIGINAL", "--reason", "typo"], 65,
            "it is a dip.observed, not a lcd.observed"
        ),
        (
            [
                "dip", "--stack", "S3", "--bank", "addr", "--position", "UUDDDD", "--corrects", "ORIGINAL", "--reason",
                "x",
            ],
            65, "it is about S2, not S3"
        ),
        (
            [
                "dip", "--stack", "S2", "--bank", "addr", "--position", "UUDDDD", "--corrects", "ORIGINAL", "--reason",
                " ",
            ],
            65, "must say why"
        ),
        (
            ["dip", "--stack", "S2", "--bank", "addr", "--position", "UUDDDD", "--corrects", "ORIGINAL"], 64,
            "--corrects needs --reason"
        ),
        (["note", "--text", "n", "--reason", "why"], 64, "--reason needs --corrects"),
        (["step", "--step", "isolate.power-off", "--corrects", "ORIGINAL", "--reason", "x"], 64, "--corrects"),
    ])
    func aCorrectionThatCannotBeRecordedIsRefusedAndNothingIsWritten(
        arguments: [String], status: Int32, fragment: String
    ) async throws {
        let scratch = try TemporaryDirectory()
        let (db, original) = try await Self.openRun(scratch)
        let before = try await RunFixtures.eventCount(db)
        let args = arguments.map { $0 == "ORIGINAL" ? String(original) : $0 }
        let result = try await CLI.audit(["record"] + args + ["--db", db, "--site", "plant-7"])
        expectOneLineError(result, contains: fragment)
        #expect(result.status == status, "\(result.stderr)")
        #expect(try await RunFixtures.eventCount(db) == before)
    }
}
