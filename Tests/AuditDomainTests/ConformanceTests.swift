import AuditDomain
import AuditLog
import Foundation
import Testing

/// Runs every case in `conformance/` (see conformance/README.md): the events as logged, and the verdict each rule
/// must give. With `AUDIT_WRITE_CONFORMANCE=1` the cases are first rewritten from the definitions below, whose
/// expected verdicts come from the specification (a deviation's `failingRules`), never from running the rules.
@Suite struct ConformanceTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appending(path: "conformance/cases")

    struct Definition {
        var name: String
        var description: String
        /// Numbers of "What goes wrong in the field" in the domain notes this case replays.
        var fieldFailures: [Int]
        var events: [LoggedEvent]
        var verdicts: [String: Verdict]
    }

    static func verdicts(failing: Set<String> = [], other: [String: Verdict] = [:]) -> [String: Verdict] {
        Dictionary(
            uniqueKeysWithValues: Rules.all.map { rule in
                (rule.id, failing.contains(rule.id) ? .fail : other[rule.id] ?? .pass)
            })
    }

    static let fieldFailures: [Deviation: [Int]] = [
        .skipAddrRestore: [1], .mistypedOriginal: [1], .skipInvRestore: [2], .cableNotRestored: [3],
        .pushWhileParallel: [4], .staleVersion: [5], .wrongPowerOrder: [6], .shortPause: [6], .wrongFinalCount: [7],
        .errorLeftOpen: [8], .stepSkipped: [9], .olderProcedure: [9], .stalledPush: [10],
    ]

    static func definitions() throws -> [Definition] {
        var cases: [Definition] = []
        for stacks in 1...3 {
            cases.append(
                Definition(
                    name: "correct-run-\(stacks)-stacks", description: "A complete, correct run with \(stacks) stacks",
                    fieldFailures: [], events: try logged(ScenarioBuilder(stackCount: stacks).build().drafts),
                    verdicts: verdicts()))
        }
        for deviation in Deviation.allCases {
            cases.append(
                Definition(
                    name: "deviation-\(deviation)",
                    description: "A correct 3-stack run but for one deviation: \(deviation)",
                    fieldFailures: fieldFailures[deviation] ?? [],
                    events: try logged(ScenarioBuilder(stackCount: 3, deviation: deviation).build().drafts),
                    verdicts: verdicts(failing: deviation.failingRules)))
        }
        cases.append(
            Definition(
                name: "hand-typed-pauses",
                description: "A correct run imported long after: every observed time is a claim the log cannot back",
                fieldFailures: [6], events: try importedLater(ScenarioBuilder(stackCount: 3).build().drafts),
                verdicts: verdicts(other: ["power.on-order": .unverifiable])))
        cases.append(try bricked())
        cases += try corrections()
        cases += try reopened()
        cases.append(try fixedOnSite())
        return cases
    }

    static func bricked() throws -> Definition {
        var drafts = ScenarioBuilder(stackCount: 3).build().drafts
        let read = drafts.firstIndex { $0.type == "firmware.push_completed" && $0.stack == "S2" }!
        drafts[read].data = DomainEvent.pushCompleted(PushCompleted(version: "0000")).data
        return Definition(
            name: "bricked-0000", description: "S2 reads firmware 0000 after its push", fieldFailures: [5],
            events: try logged(drafts), verdicts: verdicts(failing: ["firmware.target-version"]))
    }

    static func corrections() throws -> [Definition] {
        // S2's original ADDR mistyped as the master's, corrected at once; the restore sets the real one.
        var drafts = ScenarioBuilder(stackCount: 2, deviation: .mistypedOriginal).build().drafts
        let typo = drafts.firstIndex { $0.type == "dip.observed" && $0.stack == "S2" }!
        let restore = drafts.lastIndex { $0.type == "dip.observed" && $0.stack == "S2" && $0.data["bank"] == "addr" }!
        let right = DomainEvent.dipObserved(DIPObserved(bank: .addr, position: try DIPPosition(parsing: "DUDDDD")))
        drafts[restore].data = right.data
        drafts.insert(
            right.draft(
                site: "site-1", stack: "S2", observedAt: drafts[typo].observedAt, actor: "technician@example.com",
                eventID: UUID(uuidString: "00000000-0000-4000-8000-0000000000c1")!,
                correcting: CorrectionMark(corrects: Int64(typo + 1), reason: "typed UDDDDD for DUDDDD")),
            at: typo + 1)
        let corrected = Definition(
            name: "correction-in-time", description: "A mistyped original ADDR corrected before anything changed",
            fieldFailures: [1], events: try logged(drafts), verdicts: verdicts())
        // After completion, S2's final ADDR is corrected to the master's: two verdicts flip, and the late entry shows.
        var late = ScenarioBuilder(stackCount: 2).build().drafts
        let last = late.lastIndex { $0.type == "dip.observed" && $0.stack == "S2" && $0.data["bank"] == "addr" }!
        late.append(
            DomainEvent.dipObserved(DIPObserved(bank: .addr, position: .master(pins: 6))).draft(
                site: "site-1", stack: "S2", observedAt: late.last!.observedAt!.adding(milliseconds: 60_000),
                actor: "technician@example.com", eventID: UUID(uuidString: "00000000-0000-4000-8000-0000000000c2")!,
                correcting: CorrectionMark(corrects: Int64(last + 1), reason: "misread the switch")))
        let lateCase = Definition(
            name: "late-correction", description: "A correction recorded after procedure.completed flips two verdicts",
            fieldFailures: [1], events: try logged(late),
            verdicts: verdicts(failing: ["record.no-late-entries", "dip.addr-restored", "dip.addr-parallel-valid"]))
        return [corrected, lateCase]
    }

    /// A correct 2-stack run, then `procedure.reopened` and a second correct run of the procedure an hour later.
    static func reopenedDrafts() -> [EventDraft] {
        let first = ScenarioBuilder(stackCount: 2).build().drafts
        let end = first.last!.observedAt!
        var drafts = first
        drafts.append(
            DomainEvent.procedureReopened(ProcedureReopened(reason: "customer reports ERROR 19 on S2")).draft(
                site: "site-1", stack: nil, observedAt: end.adding(milliseconds: 3_600_000),
                actor: "technician@example.com", eventID: UUID(uuidString: "00000000-0000-4000-8000-0000000000d0")!))
        // The second visit: the same run without its registration and start, its times an hour and a minute on.
        let offset = end.milliseconds(since: first[0].observedAt!) + 3_660_000
        for (index, var draft) in first.dropFirst(2).enumerated() {
            draft.observedAt = draft.observedAt!.adding(milliseconds: offset)
            draft.eventID = String(format: "00000000-0000-4000-8000-%012x", 0xd01 + index)
            drafts.append(draft)
        }
        return drafts
    }

    /// S1 found on at the power-off and switched off on the spot, before any cable is unplugged: both observations
    /// stay, the rules judge them in order, and the run notes the fix.
    static func fixedOnSite() throws -> Definition {
        var drafts = ScenarioBuilder(stackCount: 3).build().drafts
        let off = drafts.firstIndex { $0.type == "power.observed" && $0.stack == "S1" }!
        let at = drafts[off].observedAt!
        drafts.insert(
            DomainEvent.powerObserved(PowerObserved(state: .on)).draft(
                site: "site-1", stack: "S1", observedAt: at.adding(milliseconds: -30_000),
                actor: "technician@example.com", eventID: UUID(uuidString: "00000000-0000-4000-8000-0000000000e0")!),
            at: off)
        drafts.insert(
            DomainEvent.noteAdded(NoteAdded(text: "fixed on site: S1 is on, the procedure expects off")).draft(
                site: "site-1", stack: nil, observedAt: at.adding(milliseconds: 1_000),
                actor: "technician@example.com", eventID: UUID(uuidString: "00000000-0000-4000-8000-0000000000e1")!),
            at: off + 2)
        return Definition(
            name: "fixed-on-site",
            description: "S1 found on at the power-off and switched off on the spot before any unplug",
            fieldFailures: [], events: try logged(drafts), verdicts: verdicts())
    }

    static func reopened() throws -> [Definition] {
        var drafts = reopenedDrafts()
        let visit = Definition(
            name: "reopened-visit",
            description:
                "A completed run reopened for a corrective visit that walks the procedure again: nothing is late",
            fieldFailures: [], events: try logged(drafts), verdicts: verdicts())
        drafts.append(
            DomainEvent.noteAdded(NoteAdded(text: "remembered after the corrective visit")).draft(
                site: "site-1", stack: nil, observedAt: drafts.last!.observedAt!.adding(milliseconds: 60_000),
                actor: "technician@example.com", eventID: UUID(uuidString: "00000000-0000-4000-8000-0000000000df")!))
        let late = Definition(
            name: "reopened-visit-then-late",
            description: "A note recorded after the reopened visit completed is a late entry",
            fieldFailures: [], events: try logged(drafts), verdicts: verdicts(failing: ["record.no-late-entries"]))
        return [visit, late]
    }

    static func write(_ definition: Definition) throws {
        let rows = try definition.events.map { event -> String in
            let row: JSONValue = [
                "seq": .integer(event.seq), "event_id": .string(event.eventID), "site": .string(event.site),
                "stack": event.stack.map(JSONValue.string) ?? .null, "type": .string(event.type),
                "data": try JSONValue(parsing: event.payload), "observed_at": .string(event.observedAt.rfc3339),
                "recorded_at": .string(event.recordedAt.rfc3339), "actor": .string(event.actor),
            ]
            return row.canonicalText + "\n"
        }
        try rows.joined().write(
            to: folder.appending(path: "\(definition.name).jsonl"), atomically: true, encoding: .utf8)
        let expected: JSONValue = [
            "description": .string(definition.description), "site": "site-1",
            "field_failures": .array(definition.fieldFailures.map { .integer(Int64($0)) }),
            "verdicts": .object(definition.verdicts.mapValues { .string($0.rawValue) }),
        ]
        try (expected.canonicalText + "\n").write(
            to: folder.appending(path: "\(definition.name).expected.json"), atomically: true, encoding: .utf8)
    }

    /// One case read back: its events and expected verdicts.
    static func read(_ name: String) throws -> (events: [LoggedEvent], site: String, verdicts: [String: String]) {
        let zero = ChainHash.genesis(logID: "conformance")
        let text = try String(contentsOf: folder.appending(path: "\(name).jsonl"), encoding: .utf8)
        let events = try text.split(separator: "\n").map { line -> LoggedEvent in
            let row = try JSONValue(parsing: String(line))
            func string(_ key: String) throws -> String {
                guard let text = row[key]?.stringValue else { throw ConformanceError.malformed("\(name): \(key)") }
                return text
            }
            func time(_ key: String) throws -> Timestamp {
                guard let time = Timestamp(rfc3339: try string(key)) else {
                    throw ConformanceError.malformed("\(name): \(key)")
                }
                return time
            }
            return LoggedEvent(
                seq: try #require(row["seq"]?.integerValue), eventID: try string("event_id"), site: try string("site"),
                stack: row["stack"]?.stringValue, type: try string("type"),
                payload: try #require(row["data"]).canonicalText, observedAt: try time("observed_at"),
                recordedAt: try time("recorded_at"), actor: try string("actor"), prevHash: zero, hash: zero)
        }
        let expected = try JSONValue(
            parsing: String(contentsOf: folder.appending(path: "\(name).expected.json"), encoding: .utf8))
        let site = try #require(expected["site"]?.stringValue)
        guard case .object(let verdicts) = try #require(expected["verdicts"]) else {
            throw ConformanceError.malformed(name)
        }
        return (events, site, verdicts.compactMapValues(\.stringValue))
    }

    enum ConformanceError: Error { case malformed(String) }

    static func caseNames() throws -> [String] {
        if ProcessInfo.processInfo.environment["AUDIT_WRITE_CONFORMANCE"] == "1" {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for definition in try definitions() { try write(definition) }
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        return files.filter { $0.hasSuffix(".expected.json") }.map { String($0.dropLast(".expected.json".count)) }
            .sorted()
    }

    @Test func everyCaseGivesItsExpectedVerdicts() throws {
        let names = try Self.caseNames()
        try #require(!names.isEmpty, "no conformance case in \(Self.folder.path)")
        var seen: [String: Set<String>] = [:]
        for name in names {
            let (events, site, expected) = try Self.read(name)
            let findings = try Rules.evaluate(site: site, events: events)
            let actual = Dictionary(uniqueKeysWithValues: findings.map { ($0.rule, $0.verdict.rawValue) })
            #expect(actual == expected, "\(name)")
            for (rule, verdict) in expected { seen[rule, default: []].insert(verdict) }
        }
        // At least one passing and one failing case per rule.
        for rule in Rules.all { #expect(seen[rule.id]?.isSuperset(of: ["pass", "fail"]) == true, "\(rule.id)") }
    }

    @Test func everyFieldFailureModeHasACase() throws {
        var covered: Set<Int64> = []
        for name in try Self.caseNames() {
            let expected = try JSONValue(
                parsing: String(contentsOf: Self.folder.appending(path: "\(name).expected.json"), encoding: .utf8))
            covered.formUnion(expected["field_failures"]?.arrayValue?.compactMap(\.integerValue) ?? [])
        }
        #expect(covered == Set(1...10))
    }

    /// The committed files are what the definitions produce: a change to either shows here.
    @Test func theCommittedCasesMatchTheirDefinitions() throws {
        let names = Set(try Self.caseNames())
        for definition in try Self.definitions() {
            #expect(names.contains(definition.name), "\(definition.name) is not committed")
            guard names.contains(definition.name) else { continue }
            let (events, _, verdicts) = try Self.read(definition.name)
            #expect(events.map(\.payload) == definition.events.map(\.payload), "\(definition.name)")
            #expect(verdicts == definition.verdicts.mapValues(\.rawValue), "\(definition.name)")
        }
    }
}
