/// A code read off a BMS LCD, classified once so the fold never re-reads the text.
public struct LCDCode: Sendable, Hashable, CustomStringConvertible, Codable {
    public enum Kind: Sendable, Hashable, Codable {
        /// `62`: parallel detection running.
        case detecting
        /// The number of stacks the master detected.
        case count(Int)
        /// `ERROR 19`, `ERROR 20`, ...
        case error(Int)
        case other
    }

    public static let detectingCode = "62"

    /// Normalised text, e.g. `ERROR 19`.
    public let code: String
    public let kind: Kind

    /// Accepts `62`, `1`, `ERROR 19`, `error 19`, `E19`; stores the normalised text.
    public init(parsing text: String) throws(DomainError) {
        let trimmed = text.utf8.first == 0x20 || text.utf8.last == 0x20 ? text.trimmingSpaces : text
        if let number = Int(trimmed), number >= 0 {
            code = trimmed
            kind = trimmed == Self.detectingCode ? .detecting : .count(number)
            return
        }
        guard !trimmed.isEmpty else {
            throw .invalidChoice(field: "LCD code", value: text, allowed: ["62", "1", "ERROR 19"])
        }
        let upper = trimmed.uppercased()
        let digits = upper.hasPrefix("ERROR") ? upper.dropFirst(5) : upper.hasPrefix("E") ? upper.dropFirst() : nil
        if let digits, let number = Int(digits.drop { $0 == " " }) {
            code = "ERROR \(number)"
            kind = .error(number)
        } else {
            code = trimmed
            kind = .other
        }
    }

    /// What a writer may record: a number, `ERROR n` (also `E19`, `ERR 19`), or `BLANK` for an empty display.
    ///
    /// Stricter than `init(parsing:)`, which also reads other text an older writer may have logged.
    public init(recording text: String) throws(DomainError) {
        let parsed: LCDCode
        do { parsed = try LCDCode(parsing: text) } catch { throw .invalidLCDCode(text) }
        guard parsed.kind != .other || parsed.code.uppercased() == "BLANK" else { throw .invalidLCDCode(text) }
        self = parsed
    }

    public var isError: Bool {
        if case .error = kind { return true }
        return false
    }

    public var description: String { code }
}

extension StringProtocol {
    var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
