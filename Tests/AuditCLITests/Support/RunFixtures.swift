import AuditTestSupport
import Foundation
import Testing

/// Inputs shared by the tests of `audit run` and `audit demo`.
enum RunFixtures {
    /// Every answer a correct manual run of a one-stack site (`--stacks S1:SER1`) is asked for, in order.
    static let oneStackAnswers: [(prompt: String, answer: String)] = [
        ("version:S1", "4006"), ("dip:S1:ADDR", "UDDDDD"), ("dip:S1:INV", "UUDDDD"), ("ask:originals", "yes"),
        ("power:S1", "off"),
        ("dip:S1:ADDR", "UDDDDD"),
        ("power:S1", "on"),
        ("dip:S1:INV", "DUUUUU"), ("lcd:S1", "62"), ("lcd:S1", "1"),
        ("dip:S1:INV", "UUDDDD"),
        ("push:S1", "4007"),
        ("power:S1", "off"),
        ("dip:S1:ADDR", "UDDDDD"),
        ("dip:S1:INV", "UUDDDD"),
        ("power:S1", "on"),
        ("dip:S1:INV", "DUUUUU"), ("lcd:S1", "62"), ("lcd:S1", "1"),
        ("dip:S1:INV", "UUDDDD"),
    ]

    static func answersFile(_ answers: ArraySlice<(prompt: String, answer: String)>) -> String {
        answers.map { #"{"prompt_id": "\#($0.prompt)", "answer": "\#($0.answer)"}"# }.joined(separator: "\n") + "\n"
    }

    /// A small image file; its bytes do not matter, only that its digest is recorded.
    static func image(in scratch: borrowing TemporaryDirectory) throws -> String {
        let path = scratch.path("bms-4007.bin")
        try Data("firmware image 4007\n".utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func eventCount(_ db: String, type: String? = nil) async throws -> Int {
        let condition = type.map { " WHERE type = '\($0)'" } ?? ""
        let result = try await CLI.sqlite(db, "SELECT count(*) FROM events\(condition)")
        return Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// The rule lines `audit check` prints (and `audit run` / `audit demo` end with), by rule id.
    static func verdicts(_ stdout: String) -> [String: String] {
        var verdicts: [String: String] = [:]
        for line in stdout.split(separator: "\n") {
            let words = line.split(separator: " ", maxSplits: 2)
            guard words.count >= 2, ["PASS", "FAIL", "UNVERIFIABLE"].contains(words[0]) else { continue }
            verdicts[String(words[1])] = String(words[0])
        }
        return verdicts
    }
}
