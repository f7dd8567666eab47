import GRDBSQLite

/// The forms of FORMAT.md §2.1, checked on the bytes SQLite already holds: a row whose hashes were recomputed
/// over a non-JSON payload or a time like `yesterday` must not verify intact. No check allocates.
enum RowForm {
    /// The first field of the current row that breaks its form, with the reason; nil when the row is well formed.
    static func problem(_ statement: OpaquePointer) -> (field: String, reason: String)? {
        func bytes(_ index: Int32) -> UnsafeBufferPointer<UInt8>? {
            guard sqlite3_column_type(statement, index) == SQLITE_TEXT, let text = sqlite3_column_text(statement, index)
            else { return nil }
            return UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, index)))
        }
        let stackIsNull = sqlite3_column_type(statement, 3) == SQLITE_NULL
        return problem(
            RowFields(
                eventID: bytes(1), site: bytes(2), stack: bytes(3), stackIsNull: stackIsNull, type: bytes(4),
                payload: bytes(5), observedAt: bytes(6), recordedAt: bytes(7), actor: bytes(8)))
    }

    /// Whether every column the form reads holds text (the stack may be NULL): the part of the form the staged
    /// message cannot show, since `sqlite3_column_text` turns a number or a blob into text.
    static func holdsText(_ statement: OpaquePointer) -> Bool {
        for column: Int32 in 1...8 where sqlite3_column_type(statement, column) != SQLITE_TEXT {
            guard column == 3, sqlite3_column_type(statement, 3) == SQLITE_NULL else { return false }
        }
        return true
    }

    /// The text of each field a row's form is checked on; nil for a missing one.
    struct RowFields {
        var eventID: UnsafeBufferPointer<UInt8>?
        var site: UnsafeBufferPointer<UInt8>?
        var stack: UnsafeBufferPointer<UInt8>?
        var stackIsNull: Bool
        var type: UnsafeBufferPointer<UInt8>?
        var payload: UnsafeBufferPointer<UInt8>?
        var observedAt: UnsafeBufferPointer<UInt8>?
        var recordedAt: UnsafeBufferPointer<UInt8>?
        var actor: UnsafeBufferPointer<UInt8>?
    }

    /// The first field that breaks its form, with the reason; nil when the row is well formed.
    static func problem(_ row: RowFields) -> (field: String, reason: String)? {
        guard let eventID = row.eventID, isLowercaseUUID(eventID) else {
            return ("event_id", "is not a lowercase UUID")
        }
        // Written out, not looped over an array literal: the walk allocates nothing per row.
        if let reason = nameProblem(row.site) { return ("site", reason) }
        if !row.stackIsNull, let reason = nameProblem(row.stack) { return ("stack", reason) }
        if let reason = nameProblem(row.type) { return ("type", reason) }
        if let reason = nameProblem(row.actor) { return ("actor", reason) }
        guard let payload = row.payload, CanonicalJSONCheck.isCanonicalObject(payload) else {
            return ("payload", "is not the canonical JSON text of an object")
        }
        guard let observed = row.observedAt, isTimestamp(observed) else {
            return ("observed_at", "is not of the form YYYY-MM-DDTHH:MM:SS.sssZ")
        }
        guard let recorded = row.recordedAt, isTimestamp(recorded) else {
            return ("recorded_at", "is not of the form YYYY-MM-DDTHH:MM:SS.sssZ")
        }
        return nil
    }

    /// `site`, `stack`, `type`, `actor`: 1 to 256 bytes of UTF-8 without control characters.
    static func nameProblem(_ text: UnsafeBufferPointer<UInt8>?) -> String? {
        guard let text else { return "is missing" }
        guard !text.isEmpty else { return "is empty" }
        guard text.count <= 256 else { return "is longer than 256 bytes" }
        // One pass for both: most names are ASCII, and only a byte above 0x7F needs the UTF-8 decoder.
        var control = false
        var ascii = true
        for byte in text {
            if byte < 0x20 || byte == 0x7F { control = true }
            if byte >= 0x80 { ascii = false }
        }
        guard !control else { return "contains a control character" }
        guard ascii || isValidUTF8(text) else { return "is not valid UTF-8" }
        return nil
    }

    static func isLowercaseUUID(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard text.count == 36, text[8] == UInt8(ascii: "-"), text[13] == UInt8(ascii: "-"),
            text[18] == UInt8(ascii: "-"), text[23] == UInt8(ascii: "-")
        else { return false }
        // Wrapping subtraction makes each range test one comparison; the dashes were checked above.
        for (index, byte) in text.enumerated() where index != 8 && index != 13 && index != 18 && index != 23 {
            guard byte &- 0x30 < 10 || byte &- 0x61 < 6 else { return false }
        }
        return true
    }

    /// Exactly `YYYY-MM-DDTHH:MM:SS.sssZ`, and a real date and time.
    static func isTimestamp(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard text.count == 24, text[4] == UInt8(ascii: "-"), text[7] == UInt8(ascii: "-"),
            text[10] == UInt8(ascii: "T"), text[13] == UInt8(ascii: ":"), text[16] == UInt8(ascii: ":"),
            text[19] == UInt8(ascii: "."), text[23] == UInt8(ascii: "Z")
        else { return false }
        // The separators are exact, with Z: digits and a real date and time are all that is left (a four-digit
        // year is in range), checked on the digits rather than by parsing the text again.
        let year = digits(text, 0, 4)
        let month = digits(text, 5, 2)
        let day = digits(text, 8, 2)
        let hour = digits(text, 11, 2)
        let minute = digits(text, 14, 2)
        let second = digits(text, 17, 2)
        return year >= 0 && digits(text, 20, 3) >= 0 && month >= 1 && month <= 12 && day >= 1
            && day <= Timestamp.daysIn(month: month, year: year) && hour >= 0 && hour < 24 && minute >= 0
            && minute < 60 && second >= 0 && second < 60
    }

    /// The decimal number in `text[start..<start + width]`, or -1 when a byte there is not a digit. A static
    /// function, not a nested one: a nested function's captured variable is checked for exclusivity at run time.
    static func digits(_ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ width: Int) -> Int64 {
        var value: Int64 = 0
        for index in start..<start + width {
            let digit = text[index] &- 0x30
            guard digit <= 9 else { return -1 }
            value = value * 10 + Int64(digit)
        }
        return value
    }

    static func isValidUTF8(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        var iterator = text.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}

/// Checks that bytes are exactly what `JSONValue.canonicalText` writes for an object (FORMAT.md §1), in one pass.
struct CanonicalJSONCheck {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    static func isCanonicalObject(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var check = CanonicalJSONCheck(bytes: bytes)
        guard check.peek() == UInt8(ascii: "{"), check.value(depth: 1) else { return false }
        return check.index == bytes.count
    }

    func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func literal(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[index + offset] != text.utf8Start[offset] { return false }
        index += count
        return true
    }

    mutating func value(depth: Int) -> Bool {
        guard let byte = peek() else { return false }
        // Only containers are levels (FORMAT.md §1), as when the payload was parsed at append.
        switch byte {
        case UInt8(ascii: "{"): return depth <= JSONParser.maxDepth && object(depth: depth)
        case UInt8(ascii: "["): return depth <= JSONParser.maxDepth && array(depth: depth)
        case UInt8(ascii: "\""): return string() != nil
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return integer()
        }
    }

    mutating func object(depth: Int) -> Bool {
        index += 1
        if peek() == UInt8(ascii: "}") {
            index += 1
            return true
        }
        var previous: Range<Int>?
        while true {
            guard let key = string() else { return false }
            // Members sorted by UTF-16 code units, each name once.
            if let previous, !Self.precedes(bytes, previous, key) { return false }
            previous = key
            guard peek() == UInt8(ascii: ":") else { return false }
            index += 1
            guard value(depth: depth + 1) else { return false }
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return true
            default: return false
            }
        }
    }

    mutating func array(depth: Int) -> Bool {
        index += 1
        if peek() == UInt8(ascii: "]") {
            index += 1
            return true
        }
        while true {
            guard value(depth: depth + 1) else { return false }
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return true
            default: return false
            }
        }
    }

    /// A string in canonical spelling; returns the range between the quotes.
    mutating func string() -> Range<Int>? {
        guard peek() == UInt8(ascii: "\"") else { return nil }
        index += 1
        let start = index
        // The bytes seen, or-ed: only a body with a byte above 0x7F needs the UTF-8 decoder.
        var seen: UInt8 = 0
        while let byte = peek() {
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                let body = start..<(index - 1)
                return seen < 0x80 || RowForm.isValidUTF8(UnsafeBufferPointer(rebasing: bytes[body])) ? body : nil
            case 0x00..<0x20: return nil
            case UInt8(ascii: "\\"):
                guard index + 1 < bytes.count else { return nil }
                switch bytes[index + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "b"), UInt8(ascii: "t"), UInt8(ascii: "n"),
                    UInt8(ascii: "f"), UInt8(ascii: "r"):
                    index += 2
                case UInt8(ascii: "u"):
                    // Only control characters without a short escape are written as \u00xx, in lowercase hex.
                    guard index + 5 < bytes.count, bytes[index + 2] == 0x30, bytes[index + 3] == 0x30,
                        let code = Self.hexPair(bytes[index + 4], bytes[index + 5]), code < 0x20,
                        code != 0x08, code != 0x09, code != 0x0A, code != 0x0C, code != 0x0D
                    else { return nil }
                    index += 6
                default: return nil
                }
            default:
                seen |= byte
                index += 1
            }
        }
        return nil
    }

    mutating func integer() -> Bool {
        let start = index
        if peek() == UInt8(ascii: "-") { index += 1 }
        let digits = index
        while let byte = peek(), (0x30...0x39).contains(byte) { index += 1 }
        let count = index - digits
        guard count > 0, count <= 16 else { return false }
        // No leading zero, no `-0`, within ±(2^53 − 1).
        if bytes[digits] == 0x30, count > 1 || digits > start { return false }
        var value: Int64 = 0
        for offset in digits..<index { value = value * 10 + Int64(bytes[offset] - 0x30) }
        return value <= (1 << 53) - 1
    }

    static func hexPair(_ high: UInt8, _ low: UInt8) -> UInt8? {
        func digit(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 0x30...0x39: byte - 0x30
            case 0x61...0x66: byte - 0x61 + 10
            default: nil
            }
        }
        guard let high = digit(high), let low = digit(low) else { return nil }
        return high << 4 | low
    }

    /// True when name `lhs` sorts strictly before `rhs` by UTF-16 code units of the decoded text.
    static func precedes(_ bytes: UnsafeBufferPointer<UInt8>, _ lhs: Range<Int>, _ rhs: Range<Int>) -> Bool {
        var left = UTF16Units(bytes: bytes, range: lhs)
        var right = UTF16Units(bytes: bytes, range: rhs)
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return false
            case (nil, _): return true
            case (_, nil): return false
            case (let a?, let b?) where a != b: return a < b
            default: continue
            }
        }
    }

    /// The UTF-16 code units of a canonical string body, decoded on the fly.
    struct UTF16Units {
        let bytes: UnsafeBufferPointer<UInt8>
        var index: Int
        let end: Int
        var pendingLow: UInt16?

        init(bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>) {
            self.bytes = bytes
            index = range.lowerBound
            end = range.upperBound
        }

        mutating func next() -> UInt16? {
            if let low = pendingLow {
                pendingLow = nil
                return low
            }
            guard index < end else { return nil }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\") {
                let escape = bytes[index + 1]
                index += 2
                switch escape {
                case UInt8(ascii: "b"): return 0x08
                case UInt8(ascii: "t"): return 0x09
                case UInt8(ascii: "n"): return 0x0A
                case UInt8(ascii: "f"): return 0x0C
                case UInt8(ascii: "r"): return 0x0D
                case UInt8(ascii: "u"):
                    index += 4
                    return UInt16(CanonicalJSONCheck.hexPair(bytes[index - 2], bytes[index - 1]) ?? 0)
                default: return UInt16(escape)
                }
            }
            // A well-formed UTF-8 sequence (already checked): its length from the lead byte.
            let length = byte < 0x80 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4
            var scalar = UInt32(length == 1 ? byte : byte & (0xFF >> (length + 1)))
            if length > 1 {
                for offset in 1..<length { scalar = scalar << 6 | UInt32(bytes[index + offset] & 0x3F) }
            }
            index += length
            guard scalar >= 0x10000 else { return UInt16(scalar) }
            let value = scalar - 0x10000
            pendingLow = UInt16(0xDC00 + (value & 0x3FF))
            return UInt16(0xD800 + (value >> 10))
        }
    }
}

/// Outside the struct, so the memberwise initialiser stays.
extension RowForm.RowFields {
    /// The fields of a chain message (FORMAT.md §2.2: prev hash, seq, then columns 1 to 8 as encoded fields),
    /// for a check off the thread that read the row; nil when the message is not of that shape.
    init?(message: UnsafeBufferPointer<UInt8>) {
        // A reader struct, not a nested function: a nested function's captured variables are checked for
        // exclusivity at run time, and this runs once per row of the log.
        var reader = MessageFields(message: message)
        let eventID = reader.next()
        let site = reader.next()
        let stack = reader.next()
        let type = reader.next()
        let payload = reader.next()
        let observedAt = reader.next()
        let recordedAt = reader.next()
        let actor = reader.next()
        guard !reader.malformed, reader.index == message.count else { return nil }
        self.init(
            eventID: eventID, site: site, stack: stack, stackIsNull: stack == nil, type: type, payload: payload,
            observedAt: observedAt, recordedAt: recordedAt, actor: actor)
    }
}

/// Reads a chain message's encoded fields one after another, after its prev hash and seq.
struct MessageFields {
    let message: UnsafeBufferPointer<UInt8>
    var index = 40
    var malformed = false

    init(message: UnsafeBufferPointer<UInt8>) { self.message = message }

    /// The next field's text; nil for NULL, or when the message ends or breaks the encoding (`malformed`).
    mutating func next() -> UnsafeBufferPointer<UInt8>? {
        guard index < message.count else {
            malformed = true
            return nil
        }
        if message[index] == 0x00 {
            index += 1
            return nil
        }
        guard message[index] == 0x01, index + 5 <= message.count else {
            malformed = true
            return nil
        }
        let count =
            Int(message[index + 1]) << 24 | Int(message[index + 2]) << 16 | Int(message[index + 3]) << 8
            | Int(message[index + 4])
        guard index + 5 + count <= message.count else {
            malformed = true
            return nil
        }
        defer { index += 5 + count }
        return UnsafeBufferPointer(rebasing: message[index + 5..<index + 5 + count])
    }
}
