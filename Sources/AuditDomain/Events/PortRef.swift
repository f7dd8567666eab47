/// One link port on one stack, written `S1:A`.
public struct PortRef: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var stack: String
    public var port: Port

    public init(stack: String, port: Port) {
        self.stack = stack
        self.port = port
    }

    public init(parsing text: String) throws(DomainError) {
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex,
            let port = Port(rawValue: text[text.index(after: colon)...].uppercased())
        else { throw .invalidPort(text) }
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
