import AuditDomain
import Testing

/// The one parser of each value, table-driven: what it accepts, what it refuses and the refusal it gives.
@Suite struct DIPPositionParserTests {
    @Test(
        arguments: [
            ("UDDDDD", 6, "UDDDDD"), ("100000", 6, "UDDDDD"), ("duuuuu", 6, "DUUUUU"), ("  UDDDDD ", 6, "UDDDDD"),
            ("0101", nil, "DUDU"), ("U", nil, "U"),
            (String(repeating: "D", count: 64), nil, String(repeating: "D", count: 64)),
        ] as [(String, Int?, String)])
    func accepts(text: String, pins: Int?, canonical: String) throws {
        #expect(try DIPPosition(parsing: text, pins: pins).description == canonical)
    }

    @Test(
        arguments: [
            ("", 6, DomainError.dipEmpty(pins: 6)),
            ("   ", nil, .dipEmpty(pins: nil)),
            ("UDD", 6, .dipWrongLength(position: "UDD", pins: 6)),
            (" UDD ", 6, .dipWrongLength(position: "UDD", pins: 6)),
            ("UXDDDD", 6, .dipInvalidCharacter(position: "UXDDDD", pin: 2)),
            ("U DDDD", nil, .dipInvalidCharacter(position: "U DDDD", pin: 2)),
            ("UDDDDD\n", nil, .dipInvalidCharacter(position: "UDDDDD\n", pin: 7)),
            ("\tUDDDDD", nil, .dipInvalidCharacter(position: "\tUDDDDD", pin: 1)),
            (
                String(repeating: "U", count: 65), nil,
                .dipWrongLength(position: String(repeating: "U", count: 65), pins: 64)
            ),
        ] as [(String, Int?, DomainError)])
    func refuses(text: String, pins: Int?, error: DomainError) {
        #expect(throws: error) { try DIPPosition(parsing: text, pins: pins) }
    }

    @Test func anEmptyPositionSaysSoAndNamesTheBank() {
        #expect(
            DomainError.dipEmpty(pins: 6).description
                == "DIP position is empty: give one U or D (or 1 or 0) per pin, pin 1 first (this bank has 6)")
    }

    @Test func addressesCountInBinaryFromPinOne() {
        #expect(DIPPosition.address(1, pins: 6) == .master(pins: 6))
        #expect(DIPPosition.address(2, pins: 6).description == "DUDDDD")
        #expect(DIPPosition.address(3, pins: 6).description == "UUDDDD")
    }
}

@Suite struct StackListParserTests {
    @Test(arguments: [
        ("S1:BMS-0001,S2:BMS-0002", [("S1", "BMS-0001"), ("S2", "BMS-0002")]),
        (" S1 : A1 , S2:A2 ", [("S1", "A1"), ("S2", "A2")]),
        ("B-1.2:X", [("B-1.2", "X")]),
        ("S1:MAC:00:11", [("S1", "MAC:00:11")]),
        ("Stack 1:SN 1", [("Stack 1", "SN 1")]),
    ])
    func accepts(text: String, expected: [(String, String)]) throws {
        let stacks = try StackIdentity.list(parsing: text)
        #expect(stacks.map(\.id) == expected.map(\.0))
        #expect(stacks.map(\.serial) == expected.map(\.1))
        #expect(stacks.map(\.order) == Array(1...expected.count))
    }

    @Test(arguments: [
        ("", "", "not ID:SERIAL"),
        ("S1", "S1", "not ID:SERIAL"),
        ("S1:", "S1:", "not ID:SERIAL"),
        (":A", ":A", "not ID:SERIAL"),
        ("S1:A,", "", "not ID:SERIAL"),
        ("S1:A,,S2:B", "", "not ID:SERIAL"),
        ("S1:A,S1:B", "S1:B", "stack id 'S1' is listed twice"),
        ("S\u{7}1:A", "S\u{7}1:A", "stack id 'S\u{7}1' holds U+0007, a control character or bidirectional mark"),
        ("S1:A\u{1}B", "S1:A\u{1}B", "the serial holds U+0001, a control character or bidirectional mark"),
        ("S\u{9B}1:A", "S\u{9B}1:A", "stack id 'S\u{9B}1' holds U+009B, a control character or bidirectional mark"),
        (
            "S\u{202E}1:A", "S\u{202E}1:A",
            "stack id 'S\u{202E}1' holds U+202E, a control character or bidirectional mark"
        ),
        ("S1:A\u{2067}B", "S1:A\u{2067}B", "the serial holds U+2067, a control character or bidirectional mark"),
        (
            String(repeating: "s", count: 257) + ":A", String(repeating: "s", count: 257) + ":A",
            "stack id '\(String(repeating: "s", count: 257))' is longer than 256 bytes"
        ),
    ])
    func refuses(text: String, entry: String, reason: String) {
        #expect(throws: DomainError.invalidStackList(entry, reason)) { try StackIdentity.list(parsing: text) }
    }

    /// Every id a stack list accepts names a port too, and a port refuses what a stack list refuses.
    @Test(arguments: ["S1", "B-1.2", "Stack 1", "s_9"])
    func acceptedIDsMakePorts(id: String) throws {
        #expect(try StackIdentity.list(parsing: "\(id):SN")[0].id == id)
        #expect(try PortRef(parsing: "\(id):B") == PortRef(stack: id, port: .b))
    }

    @Test(arguments: ["S\u{7}1", "S1,S2"])
    func refusedIDsMakeNoPorts(id: String) {
        #expect(throws: DomainError.self) { try StackIdentity.list(parsing: "\(id):SN") }
        #expect(throws: DomainError.invalidPort("\(id):A")) { try PortRef(parsing: "\(id):A") }
    }
}

@Suite struct PortParserTests {
    @Test(arguments: [
        ("S1:A", "S1", Port.a), ("S1:b", "S1", .b), (" S2:B ", "S2", .b), ("B-1.2:A", "B-1.2", .a),
    ])
    func accepts(text: String, stack: String, port: Port) throws {
        #expect(try PortRef(parsing: text) == PortRef(stack: stack, port: port))
    }

    @Test(arguments: ["S1:C", "S1", ":A", "S1:", "S1:AB", "S1:A:B", "", " :A"])
    func refuses(text: String) {
        #expect(throws: DomainError.invalidPort(text)) { try PortRef(parsing: text) }
    }

    @Test func theDaisyChainRunsFromLinkAToTheNextLinkB() {
        let chain = CableEdge.chain(["S1", "S2", "S3"])
        #expect(chain.map(\.description) == ["S1:A-S2:B", "S2:A-S3:B"])
        #expect(chain[0].otherEnd(from: PortRef(stack: "S1", port: .a)) == PortRef(stack: "S2", port: .b))
        #expect(chain[0].otherEnd(from: PortRef(stack: "S1", port: .b)) == nil)
    }
}
