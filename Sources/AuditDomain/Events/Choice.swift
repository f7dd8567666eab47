/// A closed set of words an event field accepts; parsing names the allowed words when it refuses one.
public protocol DomainChoice: RawRepresentable<String>, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    /// The field name used in error messages.
    static var field: String { get }
}

extension DomainChoice {
    public init(parsing text: String) throws(DomainError) {
        guard let value = Self(rawValue: text.lowercased()) ?? Self(rawValue: text) else {
            throw .invalidChoice(field: Self.field, value: text, allowed: Self.allCases.map(\.rawValue))
        }
        self = value
    }

    public var description: String { rawValue }
}

public enum PowerState: String, DomainChoice, Codable {
    case on
    case off
    public static let field = "power state"
}

public enum CableState: String, DomainChoice, Codable {
    case plugged
    case unplugged
    public static let field = "cable state"
}

public enum DIPBank: String, DomainChoice {
    case addr
    case inv
    public static let field = "DIP bank"

    /// The name printed beside the bank on the controller and used in prompts: `ADDR` or `INV`.
    public var label: String { rawValue.uppercased() }
}

public enum Port: String, DomainChoice, Codable {
    case a = "A"
    case b = "B"
    public static let field = "port"
}
