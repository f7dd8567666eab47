/// One link port on one stack, written `S1:A`.
public struct PortRef: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var stack: String
    public var port: Port

    public init(stack: String, port: Port) {
        self.stack = stack
        self.port = port
    }

    /// The one port parser (CLI, payloads): `STACK:A` or `STACK:B`, port letter in any case, spaces around ignored;
    /// the stack part follows the rule of `StackIdentity.isValidID`.
    public init(parsing text: String) throws(DomainError) {
        let trimmed = text.utf8.first == 0x20 || text.utf8.last == 0x20 ? text.trimmingSpaces : text
        let utf8 = trimmed.utf8
        guard utf8.count >= 3, let colon = utf8.lastIndex(of: UInt8(ascii: ":")),
            utf8.index(after: colon) == utf8.index(before: utf8.endIndex)
        else { throw .invalidPort(text) }
        let port: Port
        switch utf8.last {
        case UInt8(ascii: "A"), UInt8(ascii: "a"): port = .a
        case UInt8(ascii: "B"), UInt8(ascii: "b"): port = .b
        default: throw .invalidPort(text)
        }
        let stack = String(trimmed[..<colon])
        guard StackIdentity.isValidID(stack) else { throw .invalidPort(text) }
        self.init(stack: stack, port: port)
    }

    public var description: String { "\(stack):\(port.rawValue)" }

    public static func < (lhs: PortRef, rhs: PortRef) -> Bool {
        (lhs.stack, lhs.port.rawValue) < (rhs.stack, rhs.port.rawValue)
    }
}

/// A cable between two ports; unordered, so `S1:A-S2:B` and `S2:B-S1:A` are the same cable.
public struct CableEdge: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let first: PortRef
    public let second: PortRef

    public init(_ one: PortRef, _ other: PortRef) {
        (first, second) = one <= other ? (one, other) : (other, one)
    }

    public func involves(stack: String) -> Bool { first.stack == stack || second.stack == stack }

    public func contains(_ end: PortRef) -> Bool { first == end || second == end }

    /// The port at the cable's other end from `end`, or nil when `end` is not one of its ends.
    public func otherEnd(from end: PortRef) -> PortRef? {
        first == end ? second : second == end ? first : nil
    }

    /// The daisy chain in service, master first: each stack's Link A to the next stack's Link B.
    public static func chain(_ stacks: [String]) -> [CableEdge] {
        zip(stacks, stacks.dropFirst()).map { CableEdge(PortRef(stack: $0, port: .a), PortRef(stack: $1, port: .b)) }
    }

    public var description: String { "\(first)-\(second)" }

    public static func < (lhs: CableEdge, rhs: CableEdge) -> Bool {
        (lhs.first, lhs.second) < (rhs.first, rhs.second)
    }
}

/// Stored as its text (`S1:A`) in files kept beside the log, read back through `parsing`.
extension PortRef: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(parsing: text) } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Stored as its two ends, `["S1:A", "S2:B"]`; decoding re-sorts them, so a hand-edited file cannot break the order.
extension CableEdge: Codable {
    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        let one = try container.decode(PortRef.self)
        let other = try container.decode(PortRef.self)
        guard container.isAtEnd else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "a cable has two ends")
        }
        self.init(one, other)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(first)
        try container.encode(second)
    }
}
