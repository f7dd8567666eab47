extension Rules {
    public static let dipAddrRestored = restored(.addr)
    public static let dipInvRestored = restored(.inv)

    /// Each stack's final position of the bank equals the original recorded before any change.
    static func restored(_ bank: DIPBank) -> Rule {
        let name = bank.rawValue.uppercased()
        return Rule(id: "dip.\(bank.rawValue)-restored", title: "\(name) switches returned to their originals") {
            state in
            eachStack(state, passing: "every stack's \(name) is back to its original position") { stack in
                let track = stack.dip(bank)
                guard let original = track.original, let now = track.now else {
                    return [RuleOutcome(.unverifiable, "\(stack.id): no original \(name) position was recorded")]
                }
                guard now.value == original.value else {
                    return [
                        RuleOutcome(
                            .fail,
                            "\(stack.id): \(name) is \(now.value) (event \(now.seq)), originally \(original.value)",
                            [original.seq, now.seq])
                    ]
                }
                return [.pass([original.seq, now.seq])]
            }
        }
    }

    public static let dipOriginalsFirst = Rule(
        id: "dip.originals-first", title: "Original DIP positions recorded before any change"
    ) { state in
        eachStack(state, passing: "every stack's ADDR and INV were recorded before the first DIP change") { stack in
            DIPBank.allCases.map { bank in
                let name = bank.rawValue.uppercased()
                guard let original = stack.dip(bank).original else {
                    return RuleOutcome(.fail, "\(stack.id): the original \(name) position was never recorded")
                }
                if let change = state.firstDIPChange, change < original.seq {
                    return RuleOutcome(
                        .fail,
                        "\(stack.id): original \(name) recorded at event \(original.seq), after the first DIP change "
                            + "(event \(change))", [change, original.seq])
                }
                return .pass([original.seq])
            }
        }
    }
}
