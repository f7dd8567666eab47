import AuditDomain
import AuditLog
import AuditTestSupport
import Foundation
import Testing

/// The incremental gate decides exactly as the full re-read does, whichever writer last moved the site.
@Suite struct SiteGateTests {
    let registration = DomainEvent.siteRegistered(
        SiteRegistered(
            model: DeviceModel(name: "BMS", addrPins: 6, invPins: 6),
            stacks: [StackIdentity(id: "S1", serial: "A", order: 1), StackIdentity(id: "S2", serial: "B", order: 2)]))

    /// One random draft, valid or not, for one of two sites; sometimes reusing an earlier id (a retry or a clash).
    func randomDraft(_ random: inout SplitMix64, size: Int64, earlier: [EventDraft]) throws -> EventDraft {
        if !earlier.isEmpty, Int.random(in: 0..<10, using: &random) == 0 {
            var draft = earlier.randomElement(using: &random)!
            if Bool.random(using: &random) { draft.actor = "someone else" }
            return draft
        }
        let site = ["p", "q"].randomElement(using: &random)!
        let stack = ["S1", "S2", "S9"].randomElement(using: &random)!
        let position = try DIPPosition(parsing: ["UDDDDD", "DUDDDD", "UUUUUU", "UDD"].randomElement(using: &random)!)
        let dip = DomainEvent.dipObserved(DIPObserved(bank: .addr, position: position))
        switch Int.random(in: 0..<12, using: &random) {
        case 0: return registration.draft(site: site, stack: nil, observedAt: nil, actor: "t")
        case 1, 2: return dip.draft(site: site, stack: stack, observedAt: nil, actor: "t")
        case 3:
            let power = DomainEvent.powerObserved(PowerObserved(state: Bool.random(using: &random) ? .on : .off))
            return power.draft(site: site, stack: stack, observedAt: nil, actor: "t")
        case 4:
            return DomainEvent.noteAdded(NoteAdded(text: "n")).draft(
                site: site, stack: nil, observedAt: nil, actor: "t")
        case 5: return EventDraft(site: site, type: "custom.thing", data: ["n": 1], actor: "t")
        case 6: return DomainEvent.procedureCompleted.draft(site: site, stack: nil, observedAt: nil, actor: "t")
        case 7:
            return DomainEvent.procedureReopened(ProcedureReopened(reason: "again")).draft(
                site: site, stack: nil, observedAt: nil, actor: "t")
        case 8:
            // Cables move the facts admission reads: the first two share S1:A (one port, one cable), S9 is never
            // registered.
            return randomCable(&random).draft(site: site, stack: nil, observedAt: nil, actor: "t")
        case 9:
            let started = DomainEvent.procedureStarted(
                ProcedureStarted(
                    procedureID: "stacks-in-parallel",
                    procedureVersion: ["2023-10-27", "1999-01-01"].randomElement(using: &random)!,
                    targetVersion: "4007", imageSHA256: "ab", imageName: "x.bin"))
            return started.draft(site: site, stack: nil, observedAt: nil, actor: "t")
        case 10:
            let step = ["isolate.power-off", "no.such-step"].randomElement(using: &random)!
            return DomainEvent.stepCompleted(StepCompleted(step: step)).draft(
                site: site, stack: nil, observedAt: nil, actor: "t")
        default:
            // A corrected cable moves the facts; a corrected DIP only the full state.
            let mark = CorrectionMark(corrects: Int64.random(in: 1...max(size, 1), using: &random), reason: "typo")
            guard Bool.random(using: &random) else {
                return randomCable(&random).draft(site: site, stack: nil, observedAt: nil, actor: "t", correcting: mark)
            }
            return dip.draft(site: site, stack: stack, observedAt: nil, actor: "t", correcting: mark)
        }
    }

    func randomCable(_ random: inout SplitMix64) -> DomainEvent {
        let ends = [("S1", Port.a, "S2", Port.b), ("S1", .a, "S2", .a), ("S2", .a, "S1", .b), ("S1", .a, "S9", .b)]
            .randomElement(using: &random)!
        return .cableObserved(
            CableObserved(
                from: PortRef(stack: ends.0, port: ends.1), to: PortRef(stack: ends.2, port: ends.3),
                state: Bool.random(using: &random) ? .plugged : .unplugged))
    }

    /// What an append ended in, comparable across stores.
    func outcome(_ body: () throws -> [AppendResult]) -> String {
        do { return "\(try body().map { "\($0.seq)/\($0.inserted)" })" } catch { return "refused: \(error)" }
    }

    @Test(arguments: 1...6 as ClosedRange<UInt64>)
    func randomSequencesAreDecidedAsTheFullRereadDecidesThem(seed: UInt64) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("log.sqlite")
        let options = SQLiteEventStore.Options(synchronous: .normal)
        // Two handles on one file stand for two processes: each one's kept state goes stale when the other writes.
        // A third is opened anew for each append, as a new `audit` process is: it starts from the snapshot rows.
        let writers = [
            try SQLiteEventStore.create(at: path, options: options),
            try SQLiteEventStore.open(at: path, options: options),
        ]
        let gate = SiteGate(snapshotThreshold: 1)
        let reference = InMemoryEventStore()
        var random = SplitMix64(seed: seed)
        var earlier: [EventDraft] = []
        var decisions: Set<String> = []
        for _ in 0..<50 {
            let size = try reference.head().size
            let drafts = try (0..<Int.random(in: 1...3, using: &random)).map { _ in
                try randomDraft(&random, size: size, earlier: earlier)
            }
            earlier += drafts
            let pick = Int.random(in: 0...writers.count, using: &random)
            let writer = pick < writers.count ? writers[pick] : try SQLiteEventStore.open(at: path, options: options)
            let cached = outcome { try SiteLog(writer, gate: gate).append(drafts) }
            let reread = outcome { try SiteLog(reference).append(drafts) }
            #expect(cached == reread, "seed \(seed): \(drafts.map(\.type))")
            decisions.insert(cached.hasPrefix("refused") ? "refused" : "appended")
            for site in ["p", "q"] {
                guard let kept = writer.cachedState(site: site, gate: gate) else { continue }
                let events = try writer.events(site: site)
                // A kept state may lag behind the other writer; compared at the head it names.
                let upTo = events.filter { $0.seq <= kept.seq ?? 0 }
                #expect(kept.hash == upTo.last?.hash)
                #expect(kept.state.facts == (try SiteGate().fold(site: site, upTo)).facts)
            }
        }
        // Each site's snapshot row, read back, is the state a rebuild at the event it names gives.
        for site in ["p", "q"] {
            guard let row = try writers[0].snapshotRow(site: site, format: SiteGate.snapshotFormat) else { continue }
            let restored = try #require(gate.restore(row.state, site: site))
            let upTo = try writers[0].events(site: site).filter { $0.seq <= row.seq }
            #expect(restored.facts == (try gate.fold(site: site, upTo)).facts)
        }
        // The sequence met both answers, so the comparison means something.
        #expect(decisions.count == 2, "\(decisions)")
        #expect(try writers[0].events(EventFilter()).map(\.eventID) == reference.events(EventFilter()).map(\.eventID))
    }

    /// Batches of several parts, each inserted and then admitted, are decided as one append of all their drafts
    /// is by a full reread: appended or refused (which refusal may differ: a batch admits part by part), the same
    /// seqs, and kept states equal to a fold of the log at the head they name.
    @Test(arguments: 1...6 as ClosedRange<UInt64>)
    func randomBatchesOfSeveralPartsAreDecidedAsOneAppendOfAllTheirDrafts(seed: UInt64) throws {
        let directory = try TemporaryDirectory()
        let writer = try SQLiteEventStore.create(
            at: directory.path("log.sqlite"), options: SQLiteEventStore.Options(synchronous: .normal))
        let gate = SiteGate(snapshotThreshold: 1)
        let reference = InMemoryEventStore()
        var random = SplitMix64(seed: seed &+ 100)
        // Both sites registered first (in two parts), so later batches of observations can pass.
        let registered = ["p", "q"].map { registration.draft(site: $0, stack: nil, observedAt: nil, actor: "t") }
        try writer.appendParts(gate: gate) { append in for draft in registered { _ = try append([draft]) } }
        _ = try SiteLog(reference).append(registered)
        var earlier = registered
        var decisions: Set<String> = []
        for _ in 0..<60 {
            let size = try reference.head().size
            // Small batches: most random drafts are refused, and a long batch would nearly always be.
            let parts = try (0..<Int.random(in: 1...2, using: &random)).map { _ in
                try (0..<Int.random(in: 1...2, using: &random)).map { _ in
                    try randomDraft(&random, size: size, earlier: earlier)
                }
            }
            earlier += parts.joined()
            let batched = outcome {
                var results: [AppendResult] = []
                try writer.appendParts(gate: gate) { append in
                    for part in parts { results += try append(part) }
                }
                return results
            }
            let reread = outcome { try SiteLog(reference).append(Array(parts.joined())) }
            let decision = batched.hasPrefix("refused") ? "refused" : "appended"
            #expect(decision == (reread.hasPrefix("refused") ? "refused" : "appended"), "seed \(seed): \(reread)")
            if decision == "appended" { #expect(batched == reread, "seed \(seed)") }
            decisions.insert(decision)
            for site in ["p", "q"] {
                guard let kept = writer.cachedState(site: site, gate: gate) else { continue }
                let upTo = try writer.events(site: site).filter { $0.seq <= kept.seq ?? 0 }
                #expect(kept.hash == upTo.last?.hash)
                #expect(kept.state.facts == (try SiteGate().fold(site: site, upTo)).facts)
            }
        }
        #expect(decisions.count == 2, "\(decisions)")
        #expect(try writer.events(EventFilter()).map(\.eventID) == reference.events(EventFilter()).map(\.eventID))
    }

    /// A correction another writer logs voids this writer's lean facts: its next append is judged by the corrected
    /// cable (the port is free), not by the stale one, and the state it keeps says so.
    @Test func aCorrectionLoggedByAnotherWriterIsSeenByAKeptLeanState() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("log.sqlite")
        let options = SQLiteEventStore.Options(synchronous: .normal)
        let (mine, other) = (
            try SQLiteEventStore.create(at: path, options: options),
            try SQLiteEventStore.open(at: path, options: options)
        )
        let plugged = CableObserved(
            from: PortRef(stack: "S1", port: .a), to: PortRef(stack: "S2", port: .b), state: .plugged)
        _ = try SiteLog(mine).record(registration, site: "p", actor: "t")
        let cable = try SiteLog(mine).record(.cableObserved(plugged), site: "p", actor: "t")
        #expect(try #require(mine.cachedState(site: "p", gate: SiteGate())).state.isLean)
        var unplugged = plugged
        unplugged.state = .unplugged
        _ = try SiteLog(other).record(
            .cableObserved(unplugged), site: "p", actor: "t",
            correcting: CorrectionMark(corrects: cable.seq, reason: "it was never plugged"))
        // S1:A is free once the correction counts; the stale facts would refuse this as a port taken.
        let another = CableObserved(
            from: PortRef(stack: "S1", port: .a), to: PortRef(stack: "S2", port: .a), state: .plugged)
        _ = try SiteLog(mine).record(.cableObserved(another), site: "p", actor: "t")
        let kept = try #require(mine.cachedState(site: "p", gate: SiteGate()))
        #expect(kept.state.facts.links == [another.edge: 4])
        #expect(kept.state.facts == (try SiteGate().fold(site: "p", try mine.events(site: "p"))).facts)
    }
}
