/// One link port on one stack, written `S1:A`.
public struct PortRef: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var stack: String
    public var port: Port

    public init(stack: String, port: Port) {
        self.stack = stack
        self.port = port
    }

    public init(parsing text: String) throws(DomainError) {
        let utf8 = text.utf8
        guard utf8.count >= 3, let colon = utf8.lastIndex(of: UInt8(ascii: ":")),
            utf8.index(after: colon) == utf8.index(before: utf8.endIndex)
        else { throw .invalidPort(text) }
        let port: Port
        switch utf8.last {
        case UInt8(ascii: "A"), UInt8(ascii: "a"): port = .a
        case UInt8(ascii: "B"), UInt8(ascii: "b"): port = .b
        default: throw .invalidPort(text)
        }
        self.init(stack: String(text[..<colon]), port: port)
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

    public var description: String { "\(first)-\(second)" }

    public static func < (lhs: CableEdge, rhs: CableEdge) -> Bool {
        (lhs.first, lhs.second) < (rhs.first, rhs.second)
    }
}
