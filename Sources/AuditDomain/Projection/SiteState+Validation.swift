extension SiteState {
    /// Checks an observation against what the site already knows, before a writer appends it: the log
    /// cannot be corrected afterwards, so a DIP position with the wrong pin count or an unknown stack stops here.
    public func validate(_ event: DomainEvent, stack: String?) throws(DomainError) {
        if event.type.needsStack, stack == nil { throw .missingStack(type: event.type.rawValue) }
        let registered = stacks.filter { $0.order != nil }.map(\.id)
        func check(_ id: String) throws(DomainError) {
            guard registered.isEmpty || registered.contains(id) else { throw .unknownStack(id) }
        }
        if let stack { try check(stack) }
        switch event {
        case .dipObserved(let payload):
            guard let pins = model?.pins(payload.bank), payload.position.pins != pins else { return }
            throw .dipWrongLength(position: payload.position.description, pins: pins)
        case .cableObserved(let payload):
            try check(payload.from.stack)
            try check(payload.to.stack)
        default: return
        }
    }
}
