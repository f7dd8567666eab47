import AuditLog

public struct PowerObserved: EventPayload {
    public var state: PowerState

    public init(state: PowerState) { self.state = state }

    init(reading payload: PayloadReader) throws(DomainError) { state = try payload.parse("state", PowerState.init) }

    var fields: [String: JSONValue] { ["state": .string(state.rawValue)] }
}

public struct CableObserved: EventPayload {
    public var from: PortRef
    public var to: PortRef
    public var state: CableState

    public init(from: PortRef, to: PortRef, state: CableState) {
        self.from = from
        self.to = to
        self.state = state
    }

    public var edge: CableEdge { CableEdge(from, to) }

    init(reading payload: PayloadReader) throws(DomainError) {
        self.init(
            from: try payload.parse("from", PortRef.init), to: try payload.parse("to", PortRef.init),
            state: try payload.parse("state", CableState.init))
    }

    var fields: [String: JSONValue] {
        ["from": .string(from.description), "to": .string(to.description), "state": .string(state.rawValue)]
    }
}

public struct DIPObserved: EventPayload {
    public var bank: DIPBank
    public var position: DIPPosition

    public init(bank: DIPBank, position: DIPPosition) {
        self.bank = bank
        self.position = position
    }

    /// v1 wrote `pins` as booleans (true = up); v2 writes `position` as `UDDDDD`.
    init(reading payload: PayloadReader) throws(DomainError) {
        bank = try payload.parse("bank", DIPBank.init)
        guard payload.version == 1 else {
            position = try payload.parse("position") { text throws(DomainError) in try DIPPosition(parsing: text) }
            return
        }
        guard let pins = try payload.value("pins").arrayValue, !pins.isEmpty, pins.count <= 64 else {
            throw payload.fail("pins", "must be an array of 1 to 64 booleans")
        }
        var up: [Bool] = []
        for pin in pins {
            guard let isUp = pin.boolValue else { throw payload.fail("pins", "must hold only booleans") }
            up.append(isUp)
        }
        position = DIPPosition(up: up)
    }

    var fields: [String: JSONValue] { ["bank": .string(bank.rawValue), "position": .string(position.description)] }
}

public struct LCDObserved: EventPayload {
    public var code: LCDCode

    public init(code: LCDCode) { self.code = code }

    init(reading payload: PayloadReader) throws(DomainError) {
        code = try payload.parse("code", LCDCode.init(parsing:))
    }

    var fields: [String: JSONValue] { ["code": .string(code.code)] }
}
