/// A DIP-switch bank's pins, pin 1 first; stored as a bit mask so comparing positions costs nothing.
public struct DIPPosition: Sendable, Hashable, CustomStringConvertible {
    public let pins: Int
    /// Bit `i` set means pin `i + 1` is up (ON).
    public let upMask: UInt64

    public init(up: [Bool]) {
        precondition(up.count <= 64, "a DIP bank has at most 64 pins")
        pins = up.count
        upMask = up.enumerated().reduce(0) { $1.element ? $0 | (1 << UInt64($1.offset)) : $0 }
    }

    /// Reads `U`/`D` or `1`/`0` (any case), pin 1 first; `pins` is the model's count for the bank when known.
    ///
    /// The one DIP parser (CLI options, answers, procedure files, payloads): spaces before and after are ignored,
    /// as `LCDCode` ignores them, and anything else that is not a pin letter is refused.
    public init(parsing text: String, pins expected: Int? = nil) throws(DomainError) {
        let letters = text.utf8.first == 0x20 || text.utf8.last == 0x20 ? text.trimmingSpaces : text
        guard !letters.isEmpty else { throw .dipEmpty(pins: expected) }
        var mask: UInt64 = 0
        var count = 0
        for byte in letters.utf8 {
            switch byte {
            case UInt8(ascii: "U"), UInt8(ascii: "u"), UInt8(ascii: "1"): mask |= count < 64 ? 1 << UInt64(count) : 0
            case UInt8(ascii: "D"), UInt8(ascii: "d"), UInt8(ascii: "0"): break
            default: throw .dipInvalidCharacter(position: letters, pin: count + 1)
            }
            count += 1
        }
        guard count <= 64, count == (expected ?? count) else {
            throw .dipWrongLength(position: letters, pins: expected ?? 64)
        }
        pins = count
        upMask = mask
    }

    public func isUp(pin: Int) -> Bool { upMask & (1 << UInt64(pin - 1)) != 0 }

    /// `UDDDDD`: the canonical text writers emit.
    public var description: String {
        String((1...pins).map { isUp(pin: $0) ? "U" : "D" })
    }

    /// ADDR "1 up, rest down": the unit believes it is the master (address 1).
    public static func master(pins: Int) -> DIPPosition {
        DIPPosition(up: (1...pins).map { $0 == 1 })
    }

    /// Address `number` in binary, pin 1 the lowest bit: how an ADDR bank numbers a stack (1 is `UDDDDD`).
    public static func address(_ number: Int, pins: Int) -> DIPPosition {
        DIPPosition(up: (0..<pins).map { number & (1 << $0) != 0 })
    }

    /// INV "1 down, rest up": the parallel-detection setting.
    public static func detection(pins: Int) -> DIPPosition {
        DIPPosition(up: (1...pins).map { $0 != 1 })
    }
}

/// Stored as its text (`UDDDDD`) in files kept beside the log (the simulator's site), read back through `parsing`.
extension DIPPosition: Codable {
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
