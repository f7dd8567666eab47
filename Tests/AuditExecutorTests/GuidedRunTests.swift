import AuditDomain
import AuditLog
import AuditTestSupport
import Foundation
import Testing

@testable import AuditExecutor

/// The field trial of issue 9, replayed in process: a manual run on a simulated site with the technician's mistakes.
@Suite struct GuidedRunTests {
    /// Before issue 9 a clean 2-stack manual run asked 62 questions (a confirmation before every observation).
    @Test func aCleanTwoStackManualRunAsksThirtyNineQuestionsAndPasses() async throws {
        let run = try ManualRun(stacks: 2)
        let result = try await run.run()
        #expect(result.findings.allSatisfy { $0.verdict == .pass }, "\(result.findings.filter { $0.verdict != .pass })")
        #expect(run.prompter.asked.count == 39, "\(run.prompter.asked.map(\.id))")
        // Where the observation shows the action, there is no separate confirmation left: not even for a push.
        #expect(!run.prompter.asked.contains { if case .confirmation = $0.kind { true } else { false } })
        // Prepare (7), the originals, one "still off?" in the power-on order and 6 LCD readings have no action.
        #expect(run.prompter.asked.filter { $0.action != nil }.count == 39 - 15)
        #expect(run.output.text.contains("Originals recorded (pin 1 first; U = up = ON, D = down = OFF)"))
    }

    /// Field finding 1: S2's original ADDR typed as UDDDDD. Everything "restored" as recorded gives two masters.
    @Test func aMistypedOriginalLeftAloneGivesTwoMastersAndFailsParallelValid() async throws {
        let run = try ManualRun(stacks: 2, replies: ["dip:S2:ADDR": [1: .answer(.dip(.master(pins: 6)))]])
        let result = try await run.run()
        #expect(failing(result.findings).contains("dip.addr-parallel-valid"), "\(result.findings)")
        #expect(run.prompter.asked.contains { $0.text.hasPrefix("Set ADDR of S2 to UDDDDD") && isRestore($0, run) })
    }

    @Test func backCorrectsTheMistypedOriginalAndTheRestoreAsksForTheRealOne() async throws {
        // The question after S2's ADDR is S1's INV: `back` there re-asks S2's ADDR, answered truly this time.
        let run = try ManualRun(
            stacks: 2,
            replies: ["dip:S2:ADDR": [1: .answer(.dip(.master(pins: 6)))], "dip:S1:INV": [1: .back]])
        let result = try await run.run()
        #expect(result.findings.allSatisfy { $0.verdict == .pass }, "\(result.findings.filter { $0.verdict != .pass })")
        let correction = try #require(result.state.corrections.first)
        #expect(result.state.corrections.count == 1)
        #expect(correction.stack == "S2" && correction.type == .dipObserved)
        #expect(correction.reason == "corrected at the prompt with 'back'")
        let first = try #require(run.events().first { $0.type == "dip.observed" && $0.stack == "S2" })
        #expect(correction.corrects == first.seq)
        #expect(first.payload.contains("UDDDDD"))  // The mistake stays in the log.
        #expect(result.state.stack("S2")?.addr.original?.value.description == "DUDDDD")
        #expect(run.prompter.asked.contains { $0.text.hasPrefix("Correct the previous answer: What is the ADDR") })
        #expect(run.prompter.asked.contains { $0.text.hasPrefix("Set ADDR of S2 to DUDDDD") })
        #expect(run.output.text.contains("recorded as a correction of event \(first.seq)"))
    }

    @Test func noAtTheReviewOfTheOriginalsCorrectsOne() async throws {
        let run = try ManualRun(
            stacks: 2,
            replies: [
                "dip:S2:ADDR": [1: .answer(.dip(.master(pins: 6)))],
                "ask:originals": [1: .answer(.confirmation(done: false))],
                "note:original": [1: .answer(.note("s2 addr"))],
            ])
        let result = try await run.run()
        #expect(result.findings.allSatisfy { $0.verdict == .pass }, "\(result.findings.filter { $0.verdict != .pass })")
        #expect(result.state.corrections.map(\.reason) == ["corrected at the review of the originals"])
        #expect(run.prompter.asked.filter { $0.id == "ask:originals" }.count == 2)
        // Nothing was changed before the originals were confirmed: no unplug, no switch set before the second yes.
        let asked = run.prompter.asked
        let confirmed = try #require(asked.lastIndex { $0.id == "ask:originals" })
        #expect(asked[..<confirmed].allSatisfy { $0.action == nil })
        #expect(run.prompter.asked.contains { $0.text.hasPrefix("Set ADDR of S2 to DUDDDD") })
    }

    /// Field finding 2: S1 left on at the power-off; the run says so, the technician switches it off on the spot.
    @Test func aPowerDeviationFixedOnTheSpotPassesAndIsNoted() async throws {
        let run = try ManualRun(
            stacks: 2,
            replies: [
                "power:S1": [1: .answer(.power(.on))], "ask:fix:power:S1": [1: .answer(.confirmation(done: true))],
            ])
        let result = try await run.run()
        #expect(result.findings.allSatisfy { $0.verdict == .pass }, "\(result.findings.filter { $0.verdict != .pass })")
        let events = try run.events()
        let s1Power = events.filter { $0.type == "power.observed" && $0.stack == "S1" }
        #expect(s1Power.prefix(2).map { $0.payload.contains("\"on\"") } == [true, false])  // Both stay, in order.
        let unplug = try #require(events.first { $0.type == "cable.observed" && $0.payload.contains("unplugged") })
        #expect(s1Power[1].seq < unplug.seq)
        let note = try #require(events.first { $0.type == "note.added" })
        #expect(note.payload.contains("fixed on site: S1 is on, the procedure expects off"), "\(note.payload)")
        #expect(run.output.text.contains("! S1 is on, the procedure expects off"))
    }

    @Test func backAtTheFixQuestionCorrectsATypoInsteadOfAFix() async throws {
        let run = try ManualRun(
            stacks: 2, replies: ["power:S1": [1: .mistype(.power(.on))], "ask:fix:power:S1": [1: .back]])
        let result = try await run.run()
        #expect(result.findings.allSatisfy { $0.verdict == .pass }, "\(result.findings.filter { $0.verdict != .pass })")
        #expect(result.state.corrections.map(\.reason) == ["corrected at the prompt with 'back'"])
        #expect(try run.events().filter { $0.type == "note.added" }.isEmpty)  // Nothing was fixed on site.
    }

    @Test func aDeviationKeptAsRecordedStillFails() async throws {
        let run = try ManualRun(stacks: 2, replies: ["power:S1": [1: .answer(.power(.on))]])
        let result = try await run.run()
        #expect(failing(result.findings).contains("power.off-before-unplug"))
        #expect(run.prompter.asked.contains { $0.id == "ask:fix:power:S1" })
    }

    /// Field finding 3: the check after a failed push reads ERROR 19 (isolated); it is read again after detection.
    @Test func aFailedPushWithError19ThenACleanReadingPasses() async throws {
        let run = try ManualRun(
            stacks: 2, faults: [.pushFails(stack: "S2", reason: "rejected")],
            replies: ["lcd:S2": [3: .answer(.lcd("ERROR 19"))]])
        let result = try await run.run()
        #expect(result.findings.allSatisfy { $0.verdict == .pass }, "\(result.findings.filter { $0.verdict != .pass })")
        let s2LCD = try run.events().filter { $0.type == "lcd.observed" && $0.stack == "S2" }
        #expect(s2LCD.count == 4)
        #expect(s2LCD[2].payload.contains("ERROR 19"))
        #expect(run.prompter.asked.contains { $0.text.hasPrefix("S2 last showed ERROR 19") })
    }

    @Test func helpAndBackAreWordsOfEveryPromptNotAnswers() throws {
        #expect(PromptCommand("back") == .back)
        #expect(PromptCommand(" ? ") == .help)
        #expect(PromptCommand("HELP") == .help)
        #expect(PromptCommand("UDDDDD") == nil)
        let prompt = Prompt(.dip(stack: "S1", bank: .addr, pinCount: 6))
        #expect(prompt.help.contains("6 pins, pin 1 first"))
        #expect(prompt.help.contains("'back'"))
    }

    private func isRestore(_ prompt: Prompt, _ run: ManualRun) -> Bool {
        // The restore's ADDR prompts come after the push confirmations.
        guard let push = run.prompter.asked.firstIndex(where: { $0.id == "push:S2" }),
            let index = run.prompter.asked.lastIndex(of: prompt)
        else { return false }
        return index > push
    }
}

/// `audit run --reopen --reason`: a corrective visit on a completed site, whose events are not late entries.
@Suite struct ReopenedVisitTests {
    @Test func aReopenedVisitWalksTheProcedureAgainAndItsEventsAreNotLate() async throws {
        var run = try SimRun(stacks: 2)
        _ = try await run.run()
        let firstVisit = try run.events().count
        run.settings.reopenReason = "customer reports ERROR 19 on S2"
        let result = try await run.run()
        #expect(result.findings.allSatisfy { $0.verdict == .pass }, "\(result.findings.filter { $0.verdict != .pass })")
        let events = try run.events()
        #expect(events[firstVisit].type == "procedure.reopened")
        #expect(events[firstVisit].payload.contains("customer reports ERROR 19 on S2"))
        #expect(events.last?.type == "procedure.completed")
        #expect(events.filter { $0.type == "step.completed" }.count == 2 * run.settings.procedure.steps.count)
        #expect(result.state.lateEntries.isEmpty)
        #expect(result.state.reopenings.map(\.seq) == [events[firstVisit].seq])
        #expect(run.output.text.contains("Reopened site 'site-1' for a corrective visit"))
        // Complete again: a third run without --reopen records nothing, and one with it opens a third visit.
        run.settings.reopenReason = nil
        _ = try await run.run()
        #expect(try run.events().count == events.count)
    }

    @Test func anEntryAfterTheReopenedVisitCompletedIsLate() async throws {
        var run = try SimRun(stacks: 1)
        _ = try await run.run()
        run.settings.reopenReason = "second look"
        _ = try await run.run()
        let note = DomainEvent.noteAdded(NoteAdded(text: "remembered later"))
        let late = try SiteLog(run.store).record(note, site: "site-1", actor: "office")
        let state = try SiteLog(run.store).state(site: "site-1")
        #expect(state.lateEntries.map(\.seq) == [late.seq])
        #expect(Rules.evaluate(state).first { $0.rule == "record.no-late-entries" }?.verdict == .fail)
    }
}

/// The restore's pause between power-ons, as a technician at a terminal sees it.
@Suite struct CountdownTests {
    /// Records every sleep and lets the simulated clock pass by as much.
    struct RecordingSleeper: Sleeper {
        let inner: ClockAdvancingSleeper
        let log = SleepLog()

        func sleep(milliseconds: Int64) async throws {
            log.add(milliseconds)
            try await inner.sleep(milliseconds: milliseconds)
        }
    }

    final class SleepLog: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [Int64] = []
        func add(_ value: Int64) { lock.withLock { values.append(value) } }
        var all: [Int64] { lock.withLock { values } }
    }

    @Test func aTerminalCountsTheSecondsDownOnOneLine() async throws {
        let run = try ManualRun(stacks: 2)
        let sleeper = RecordingSleeper(inner: run.simulation.sleeper)
        let runner = ProcedureRunner(
            settings: run.settings, store: run.store, prompter: run.prompter,
            transport: ManualTransport(prompter: run.prompter, clock: run.simulation.clock),
            registration: .known(run.simulation.registration), clock: run.simulation.clock, sleeper: sleeper,
            output: run.output, outputIsTerminal: true)
        let result = try await runner.run()
        #expect(result.findings.allSatisfy { $0.verdict == .pass })
        // One pause between S2 and S1, counted down in whole seconds, adding up to the pause the vendor asks for.
        let pauses = sleeper.log.all.filter { $0 > 0 }  // The LCD is re-read at once in a manual run (0 ms).
        let total = pauses.reduce(0, +)
        #expect(total > 5_000 && total <= 12_000, "\(pauses)")
        #expect(pauses.count == Int((total + 999) / 1000), "\(pauses)")
        #expect(run.output.text.contains("\r  1 s left"))
        #expect(run.output.text.contains("\r  done waiting"))
    }
}
