import AuditDomain
import AuditLog
import Testing

@Suite struct EventCodingTests {
    static let samples: [DomainEvent] = [
        .siteRegistered(
            SiteRegistered(
                model: DeviceModel(name: "BMS-6P"), stacks: [StackIdentity(id: "S1", serial: "A1", order: 1)])),
        .procedureStarted(
            ProcedureStarted(
                procedureID: "stacks-in-parallel", procedureVersion: "2023-10-27", targetVersion: "4007",
                imageSHA256: "ab", imageName: "x.bin")),
        .firmwareVersionObserved(VersionObserved(version: "4005")),
        .powerObserved(PowerObserved(state: .off)),
        .cableObserved(
            CableObserved(from: PortRef(stack: "S1", port: .a), to: PortRef(stack: "S2", port: .b), state: .plugged)),
        .dipObserved(DIPObserved(bank: .inv, position: .detection(pins: 6))),
        .lcdObserved(LCDObserved(code: try! LCDCode(parsing: "error 19"))),
        .noteAdded(NoteAdded(text: "hello")),
        .photoAttached(PhotoAttached(sha256: "cd", name: "p.jpg")),
        .pushStarted(PushStarted(imageSHA256: "ab", targetVersion: "4007", transport: "skybox", attempt: 2)),
        .pushProgress(PushProgress(percent: 40)),
        .pushCompleted(PushCompleted(version: "4007")),
        .pushFailed(PushFailed(reason: "timeout")),
        .stepCompleted(StepCompleted(step: "isolate.power-off")),
        .procedureCompleted,
        .procedureAborted(ProcedureAborted(reason: "storm")),
        .procedureReopened(ProcedureReopened(reason: "ADDR of S2 found wrong")),
    ]

    @Test("every event type survives the log", arguments: samples)
    func roundTrip(event: DomainEvent) throws {
        let logged = try logged([event.draft(site: "site-1", stack: "S1", observedAt: nil, actor: "tester")])[0]
        #expect(logged.type == event.type.rawValue)
        #expect(try DomainEvent.decode(logged) == event)
        #expect(try logged.data()["v"] == .integer(event.type.currentVersion))
    }

    @Test func samplesCoverEveryType() {
        #expect(Set(Self.samples.map(\.type)) == Set(EventType.allCases))
    }

    @Test func unknownTypeIsRefusedByName() throws {
        let event = try loggedEvent(type: "coffee.brewed", data: ["v": 1])
        #expect(throws: DomainError.unknownEventType("coffee.brewed")) { try DomainEvent.decode(event) }
        #expect(DomainError.unknownEventType("coffee.brewed").description == "unknown event type 'coffee.brewed'")
    }

    @Test func dipVersion1IsUpcast() throws {
        let event = try loggedEvent(
            type: "dip.observed", data: ["bank": "addr", "pins": [true, false, false, false, false, false]])
        let expected = DomainEvent.dipObserved(DIPObserved(bank: .addr, position: try DIPPosition(parsing: "UDDDDD")))
        #expect(try DomainEvent.decode(event) == expected)
        #expect(expected.data == ["v": 2, "bank": "addr", "position": "UDDDDD"])
    }

    @Test func newerVersionIsRefused() throws {
        let event = try loggedEvent(type: "dip.observed", data: ["v": 3, "bank": "addr", "position": "UDDDDD"])
        #expect(throws: DomainError.unsupportedVersion(type: "dip.observed", version: 3)) {
            try DomainEvent.decode(event)
        }
    }

    @Test func malformedPayloadsNameTheField() throws {
        let zero = try loggedEvent(type: "power.observed", data: ["v": 0, "state": "on"])
        #expect(throws: DomainError.invalidPayload(type: "power.observed", reason: "'v' must be at least 1")) {
            try DomainEvent.decode(zero)
        }
        let stacks = try loggedEvent(
            type: "site.registered", stack: nil,
            data: ["model": ["name": "m", "addr_pins": 6, "inv_pins": 6], "stacks": "S1"])
        #expect(throws: DomainError.invalidPayload(type: "site.registered", reason: "'stacks' must be an array")) {
            try DomainEvent.decode(stacks)
        }
        let pins = try loggedEvent(type: "dip.observed", data: ["v": 1, "bank": "addr", "pins": [true, "up"]])
        #expect(throws: DomainError.invalidPayload(type: "dip.observed", reason: "'pins' must hold only booleans")) {
            try DomainEvent.decode(pins)
        }
    }

    @Test func unitObservationsNeedAStack() throws {
        let event = try loggedEvent(type: "power.observed", stack: nil, data: ["v": 1, "state": "on"])
        #expect(throws: DomainError.missingStack(type: "power.observed")) { try DomainEvent.decode(event) }
    }

    @Test func badFieldNamesTypeAndField() throws {
        let event = try loggedEvent(type: "power.observed", data: ["v": 1, "state": "maybe"])
        let error = #expect(throws: DomainError.self) { try DomainEvent.decode(event) }
        #expect(
            error?.description == "power.observed: 'state' is invalid: power state 'maybe' must be one of on, off")
        let missing = try loggedEvent(type: "lcd.observed", data: ["v": 1])
        #expect(throws: DomainError.invalidPayload(type: "lcd.observed", reason: "'code' is missing")) {
            try DomainEvent.decode(missing)
        }
    }
}

@Suite struct ValueParsingTests {
    @Test(arguments: [("UDDDDD", "UDDDDD"), ("100000", "UDDDDD"), ("duuuuu", "DUUUUU"), ("0101", "DUDU")])
    func dipNormalises(text: String, expected: String) throws {
        #expect(try DIPPosition(parsing: text).description == expected)
    }

    @Test func dipWrongLength() {
        let error = #expect(throws: DomainError.dipWrongLength(position: "UDD", pins: 6)) {
            try DIPPosition(parsing: "UDD", pins: 6)
        }
        #expect(error?.description == "DIP position 'UDD' has 3 pins; this bank has 6")
    }

    @Test func dipWrongLetter() {
        let error = #expect(throws: DomainError.dipInvalidCharacter(position: "UXDDDD", pin: 2)) {
            try DIPPosition(parsing: "UXDDDD", pins: 6)
        }
        #expect(error?.description == "pin 2 of DIP position 'UXDDDD' must be U or D (or 1 or 0)")
    }

    @Test func dipPatterns() throws {
        #expect(DIPPosition.master(pins: 6) == (try DIPPosition(parsing: "UDDDDD")))
        #expect(DIPPosition.detection(pins: 6) == (try DIPPosition(parsing: "DUUUUU")))
        #expect(try DIPPosition(parsing: "DUDDDD").isUp(pin: 2))
    }

    @Test func ports() throws {
        #expect(try PortRef(parsing: "S1:a") == PortRef(stack: "S1", port: .a))
        #expect(CableEdge(try PortRef(parsing: "S2:B"), try PortRef(parsing: "S1:A")).description == "S1:A-S2:B")
        for bad in ["S1:C", "S1", ":A", "S1:"] {
            #expect(throws: DomainError.invalidPort(bad)) { try PortRef(parsing: bad) }
        }
        #expect(DomainError.invalidPort("S1:C").description == "port 'S1:C' must be STACK:A or STACK:B, e.g. S1:A")
    }

    @Test func lcdCodes() throws {
        #expect(try LCDCode(parsing: "error 19").code == "ERROR 19")
        #expect(try LCDCode(parsing: "E20").kind == .error(20))
        #expect(try LCDCode(parsing: "62").kind == .detecting)
        #expect(try LCDCode(parsing: " 3 ").kind == .count(3))
        #expect(throws: DomainError.self) { try LCDCode(parsing: "  ") }
    }

    @Test func choices() throws {
        #expect(try PowerState(parsing: "ON") == .on)
        #expect(
            throws: DomainError.invalidChoice(field: "cable state", value: "loose", allowed: ["plugged", "unplugged"])
        ) {
            try CableState(parsing: "loose")
        }
    }
}
