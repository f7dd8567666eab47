/// An Ethernet cable from one stack's Link A port to another stack's Link B port, as the daisy chain is wired.
public struct LinkCable: Sendable, Hashable, Codable, CustomStringConvertible, Comparable {
    /// The stack whose Link A port holds the cable.
    public var fromLinkA: String
    /// The stack whose Link B port holds the cable.
    public var toLinkB: String

    public init(fromLinkA: String, toLinkB: String) {
        self.fromLinkA = fromLinkA
        self.toLinkB = toLinkB
    }

    /// Written `S1.A-S2.B`; `S1-S2` is accepted as a shorthand.
    public var description: String { "\(fromLinkA).A-\(toLinkB).B" }

    public init?(parsing text: String) {
        let ends = text.split(separator: "-", omittingEmptySubsequences: false)
        guard ends.count == 2 else { return nil }
        func stack(_ end: Substring, port: String) -> String? {
            let parts = end.split(separator: ".", omittingEmptySubsequences: false)
            guard let first = parts.first, !first.isEmpty, parts.count <= 2 else { return nil }
            if parts.count == 2, parts[1].uppercased() != port { return nil }
            return String(first)
        }
        guard let from = stack(ends[0], port: "A"), let to = stack(ends[1], port: "B") else { return nil }
        self.init(fromLinkA: from, toLinkB: to)
    }

    public static func < (lhs: LinkCable, rhs: LinkCable) -> Bool { lhs.description < rhs.description }

    /// Every stack touched by the cable.
    public func touches(_ stack: String) -> Bool { fromLinkA == stack || toLinkB == stack }
}

/// A BMS power button's state.
public enum PowerState: String, Sendable, Hashable, Codable, CustomStringConvertible {
    case on
    case off

    public var description: String { rawValue }
}
