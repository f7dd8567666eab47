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

extension Rules {
    /// The procedure the run named, else the current version of its id: where a rule finds the model's data.
    static func procedure(of state: SiteState) -> Procedure? {
        guard let run = state.procedure?.value else { return nil }
        return (try? Procedure.load(id: run.procedureID, version: run.procedureVersion))
            ?? (try? Procedure.load(id: run.procedureID))
    }

    /// The final addresses must form a working parallel system, whatever the recorded originals say: a mistyped
    /// original that was faithfully "restored" still leaves two masters.
    public static let dipAddrParallelValid = Rule(
        id: "dip.addr-parallel-valid", title: "Final ADDR positions form a valid parallel system"
    ) { state in
        guard let model = state.model else { return RuleOutcome(.unverifiable, "no site.registered gives the model") }
        guard let procedure = procedure(of: state) else {
            return RuleOutcome(.unverifiable, "no procedure.started names a bundled procedure")
        }
        guard let table = procedure.addressTable(pins: model.addrPins) else {
            return RuleOutcome(
                .unverifiable,
                "procedure \(procedure.id) \(procedure.version) has no address table for a \(model.addrPins)-pin ADDR bank"
            )
        }
        var outcomes: [RuleOutcome] = []
        var byAddress: [Int: [(String, Observed<DIPPosition>)]] = [:]
        for stack in state.stacks {
            guard let now = stack.addr.now else {
                outcomes.append(RuleOutcome(.unverifiable, "\(stack.id): no ADDR position was recorded"))
                continue
            }
            guard let address = table.address(of: now.value) else {
                outcomes.append(
                    RuleOutcome(
                        .fail, "\(stack.id): ADDR \(now.value) (event \(now.seq)) is not an address of \(model.name)",
                        [now.seq]))
                continue
            }
            byAddress[address, default: []].append((stack.id, now))
        }
        let master = table.master ?? "address 1"
        if byAddress[1] == nil, outcomes.isEmpty {
            outcomes.append(
                RuleOutcome(
                    .fail, "no stack is the master (\(master)) at the end",
                    state.stacks.compactMap(\.addr.now?.seq)))
        }
        for (address, holders) in byAddress.sorted(by: { $0.key < $1.key }) where holders.count > 1 {
            let names = holders.map { "\($0.0) (event \($0.1.seq))" }.joined(separator: " and ")
            let what = address == 1 ? "are all masters (\(master))" : "share address \(address) (\(holders[0].1.value))"
            outcomes.append(RuleOutcome(.fail, "\(names) \(what)", holders.map(\.1.seq)))
        }
        let seqs = byAddress.values.flatMap { $0.map(\.1.seq) }
        return RuleOutcome.combine(
            outcomes + [.pass(seqs)], passing: "exactly one master, and every stack on its own address")
    }
}
