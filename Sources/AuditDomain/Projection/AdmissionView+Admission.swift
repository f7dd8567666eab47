import AuditCore

extension AdmissionView {
    /// Checks an observation against what the site already knows, before a writer appends it: the log
    /// cannot be corrected afterwards, so a DIP position with the wrong pin count or an unknown stack stops here.
    /// `checkingPorts` is off for a correction: the cable it replaces may be the one holding the port.
    public func validate(_ event: DomainEvent, stack: String?, checkingPorts: Bool = true) throws(DomainError) {
        if event.type.needsStack, stack == nil { throw .missingStack(type: event.type.rawValue) }
        func check(_ id: String) throws(DomainError) {
            guard admitsStack(id) else { throw .unknownStack(id) }
        }
        if let stack { try check(stack) }
        switch event {
        case .dipObserved(let payload):
            guard let pins = model?.pins(payload.bank), payload.position.pins != pins else { return }
            throw .dipWrongLength(position: payload.position.description, pins: pins)
        case .cableObserved(let payload):
            try check(payload.from.stack)
            try check(payload.to.stack)
            guard payload.from.stack != payload.to.stack else {
                throw .cableWithinStack(from: payload.from.description, to: payload.to.description)
            }
            guard payload.state == .plugged, checkingPorts else { return }
            // One port holds one cable: plugging a second one into it cannot be what happened.
            for port in [payload.from, payload.to] {
                let holder = links.first { ($0.key.first == port || $0.key.second == port) && $0.key != payload.edge }
                if let (edge, seq) = holder {
                    throw .portTaken(port: port.description, cable: edge.description, seq: seq)
                }
            }
        case .siteRegistered(let payload):
            if let scalar = payload.model.name.firstHiddenControl {
                throw .invalidPayload(
                    type: event.type.rawValue,
                    reason: "the model name holds \(scalar.codePoint), \(StackIdentity.hiddenControl)")
            }
            // A registration by JSON Lines meets the rules of `--stacks`: an id no event could carry is refused now.
            for (index, identity) in payload.stacks.enumerated() {
                let entry = "\(identity.id):\(identity.serial)"
                if let problem = StackIdentity.idProblem(identity.id) {
                    throw .invalidStackList(entry, "stack id '\(identity.id)' \(problem)")
                }
                if let scalar = identity.serial.firstHiddenControl {
                    throw .invalidStackList(
                        entry, "the serial holds \(scalar.codePoint), \(StackIdentity.hiddenControl)")
                }
                guard !payload.stacks[..<index].contains(where: { $0.id == identity.id }) else {
                    throw .invalidStackList(entry, "stack id '\(identity.id)' is listed twice")
                }
            }
        default: return
        }
    }

    /// The one gate every writer passes: registration first, once; then each observation checked against it.
    public func admit(_ event: DomainEvent, stack: String?) throws(AdmissionError) {
        if case .siteRegistered = event {
            if let registeredSeq { throw .alreadyRegistered(site: site, seq: registeredSeq) }
            do { try validate(event, stack: stack) } catch { throw .invalid(error) }
            return
        }
        guard registeredSeq != nil else { throw .unknownSite(site) }
        do { try validate(event, stack: stack) } catch { throw .invalid(error) }
        if case .procedureReopened = event {
            guard completedSeq != nil else { throw .notReopenable(site: site, reason: "it has not completed") }
            guard isClosed else { throw .notReopenable(site: site, reason: "its reopened visit has not completed") }
        }
        if case .stepCompleted(let payload) = event {
            let procedure =
                (try? Procedure.load(id: procedureID ?? "", version: procedureVersion)) ?? Procedure.bundled.first
            if let procedure, !procedure.steps.contains(where: { $0.id == payload.step }) {
                throw .unknownStep(
                    payload.step, procedure: "\(procedure.id) \(procedure.version)", valid: procedure.steps.map(\.id))
            }
        }
    }
}
