/// A rule whose verdict a late entry changed, and how.
public struct LateEffect: Sendable, Hashable {
    public var rule: String
    /// The verdict on the history without the late entries.
    public var before: Verdict
    public var after: Verdict
}

extension Rules {
    /// Every rule (but the late-entry rule itself) whose verdict differs between the site as completed and now.
    public static func lateEntryEffects(_ state: SiteState) -> [LateEffect] {
        guard !state.lateEntries.isEmpty, let before = state.stateAtCompletion else { return [] }
        return all.filter { $0.id != recordNoLateEntries.id }.compactMap { rule in
            let was = rule.evaluate(before).verdict
            let now = rule.evaluate(state).verdict
            return was == now ? nil : LateEffect(rule: rule.id, before: was, after: now)
        }
    }

    /// The truth may come late and is still accepted, but a verdict that rests on it must say so.
    public static let recordNoLateEntries = Rule(
        id: "record.no-late-entries", title: "Nothing recorded after the procedure completed"
    ) { state in
        guard let completed = state.completedSeq else {
            return RuleOutcome(.pass, "the procedure has not completed, so no entry is late")
        }
        guard !state.lateEntries.isEmpty else {
            return RuleOutcome(
                .pass, "nothing was recorded after procedure.completed (event \(completed))", [completed])
        }
        let seqs = state.lateEntries.map(\.seq)
        let effects = lateEntryEffects(state).map { "\($0.rule) (\($0.before) without them, \($0.after) with them)" }
        let changed = effects.isEmpty ? "; no verdict changed" : "; they changed " + effects.joined(separator: ", ")
        return RuleOutcome(
            .fail,
            "recorded after procedure.completed (event \(completed)): event"
                + (seqs.count > 1 ? "s " : " ") + seqs.map(String.init).joined(separator: ", ") + changed,
            seqs)
    }
}
