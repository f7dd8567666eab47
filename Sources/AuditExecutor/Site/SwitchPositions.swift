import Foundation

/// The two DIP-switch banks of a BMS controller.
public enum SwitchBank: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case addr = "ADDR"
    case inv = "INV"

    public var description: String { rawValue }

    /// Accepts `ADDR`/`INV` in any case, the spelling technicians and answer files use.
    public init?(parsing text: String) {
        self.init(rawValue: text.uppercased())
    }
}

/// The positions of one DIP bank, pin 1 first; written `U`/`D` because that is how the procedure reads.
public struct SwitchPositions: Sendable, Hashable, CustomStringConvertible {
    /// `true` = up (ON).
    public var pins: [Bool]

    public init(pins: [Bool]) { self.pins = pins }

    /// Parses `U`/`D` (or `1`/`0`, 1 = up), case-insensitive; the pin count is checked by the caller's device model.
    public init(parsing text: String) throws(SwitchParseError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw SwitchParseError(text: text, reason: "empty") }
        var pins = [Bool]()
        for character in trimmed {
            switch character {
            case "U", "u", "1": pins.append(true)
            case "D", "d", "0": pins.append(false)
            default:
                throw SwitchParseError(text: text, reason: "pin '\(character)' is not U/D or 1/0")
            }
        }
        self.pins = pins
    }

    /// Parses and checks the pin count in one go.
    public init(parsing text: String, pinCount: Int) throws(SwitchParseError) {
        try self.init(parsing: text)
        guard pins.count == pinCount else {
            throw SwitchParseError(text: text, reason: "expected \(pinCount) pins, got \(pins.count)")
        }
    }

    public var description: String { String(pins.map { $0 ? "U" : "D" }) }

    /// ADDR `UDDDDD`: the BMS takes address 1 and acts as master.
    public static func master(pinCount: Int = 6) -> SwitchPositions {
        address(1, pinCount: pinCount)
    }

    /// INV `DUUUUU`: parallel detection.
    public static func detection(pinCount: Int = 6) -> SwitchPositions {
        SwitchPositions(pins: (0..<pinCount).map { $0 != 0 })
    }

    /// Address `n` in binary, pin 1 = least significant bit, the usual DIP address encoding.
    public static func address(_ number: Int, pinCount: Int = 6) -> SwitchPositions {
        SwitchPositions(pins: (0..<pinCount).map { number >> $0 & 1 == 1 })
    }
}

extension SwitchPositions: TextCodable {}

public struct SwitchParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var text: String
    public var reason: String

    public var description: String { "invalid DIP position '\(text)': \(reason)" }
}
