import AuditLog

/// Reads a flat canonical payload (`{"a":"x","b":1}`) in place, so the fold never builds a dictionary per event.
/// Anything else (nesting, escapes, whitespace, unsorted keys) is left to the full JSON parser.
struct FlatPayload {
    private enum Kind {
        case string
        case integer
        case literal
    }

    let text: String

    /// Nil unless `text` is a flat canonical object this reader can serve alone.
    init?(_ text: String) {
        self.text = text
        guard Self.scan(text, for: nil) != nil else { return nil }
    }

    subscript(key: String) -> JSONValue? {
        Self.scan(text, for: key) ?? nil
    }

    /// Walks every member; returns nil when the text is not flat canonical JSON, else the value of `key` if present.
    private static func scan(_ text: String, for key: String?) -> JSONValue?? {
        text.utf8.withContiguousStorageIfAvailable { bytes -> JSONValue?? in
            var scanner = Scanner(bytes: bytes)
            return scanner.members(matching: key)
        } ?? nil
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func expect(_ byte: UInt8) -> Bool {
            guard peek() == byte else { return false }
            index += 1
            return true
        }

        /// The bytes of a string with no escape or control character, quotes consumed.
        mutating func plainString() -> Range<Int>? {
            guard expect(UInt8(ascii: "\"")) else { return nil }
            let start = index
            while let byte = peek(), byte != UInt8(ascii: "\"") {
                guard byte >= 0x20, byte != UInt8(ascii: "\\") else { return nil }
                index += 1
            }
            return expect(UInt8(ascii: "\"")) ? start..<(index - 1) : nil
        }

        mutating func value() -> (Range<Int>, Kind)? {
            let start = index
            switch peek() {
            case UInt8(ascii: "\""): return plainString().map { ($0, .string) }
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                for word in ["true", "false", "null"] where bytes[index...].starts(with: word.utf8) {
                    index += word.utf8.count
                    return (start..<index, .literal)
                }
                return nil
            default:
                _ = expect(UInt8(ascii: "-"))
                let digits = index
                while let byte = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { index += 1 }
                // 1 to 15 digits without a leading zero: always within ±(2^53 − 1).
                let count = index - digits
                guard count >= 1, count <= 15, count == 1 || bytes[digits] != UInt8(ascii: "0") else { return nil }
                return (start..<index, .integer)
            }
        }

        mutating func members(matching key: String?) -> JSONValue?? {
            guard expect(UInt8(ascii: "{")) else { return nil }
            var found: JSONValue? = nil
            var previous: Range<Int>? = nil
            if expect(UInt8(ascii: "}")) { return index == bytes.count ? .some(nil) : nil }
            repeat {
                guard let name = plainString(), expect(UInt8(ascii: ":")), let (range, kind) = value() else {
                    return nil
                }
                let nameBytes = UnsafeBufferPointer(rebasing: bytes[name])
                // Canonical order, ASCII names only: byte order then equals JCS's UTF-16 order and rules out duplicates.
                guard !nameBytes.contains(where: { $0 >= 0x80 }),
                    previous.map({ bytes[$0].lexicographicallyPrecedes(nameBytes) }) ?? true
                else { return nil }
                previous = name
                if let key, found == nil, nameBytes.elementsEqual(key.utf8) { found = decode(range, kind) }
            } while expect(UInt8(ascii: ","))
            return expect(UInt8(ascii: "}")) && index == bytes.count ? .some(found) : nil
        }

        func decode(_ range: Range<Int>, _ kind: Kind) -> JSONValue {
            let slice = UnsafeBufferPointer(rebasing: bytes[range])
            switch kind {
            case .string: return .string(String(decoding: slice, as: UTF8.self))
            case .integer:
                let negative = slice[0] == UInt8(ascii: "-")
                let magnitude = slice.dropFirst(negative ? 1 : 0).reduce(Int64(0)) { $0 * 10 + Int64($1 - 48) }
                return .integer(negative ? -magnitude : magnitude)
            case .literal:
                return slice.count == 4 ? (slice[0] == UInt8(ascii: "t") ? .bool(true) : .null) : .bool(false)
            }
        }
    }
}
