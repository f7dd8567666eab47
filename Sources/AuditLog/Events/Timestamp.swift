/// An instant with millisecond precision, always written as `YYYY-MM-DDTHH:MM:SS.sssZ` so it hashes one way.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public var millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    public func adding(milliseconds: Int64) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: millisecondsSinceEpoch + milliseconds)
    }

    public func milliseconds(since other: Timestamp) -> Int64 {
        millisecondsSinceEpoch - other.millisecondsSinceEpoch
    }

    public var description: String { rfc3339 }

    /// The canonical text form stored in the log; written byte by byte because every append hashes it.
    public var rfc3339: String {
        String(unsafeUninitializedCapacity: Self.rfc3339Count) { buffer in
            write(into: buffer)
            return Self.rfc3339Count
        }
    }

    /// The length of `rfc3339`: four digits of year, always (the parser accepts years 0000 to 9999 only).
    public static let rfc3339Count = 24

    /// Appends the bytes of `rfc3339`, with no String made: hashing and COPY rows write two per event.
    public func appendRFC3339(to bytes: inout [UInt8]) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: Self.rfc3339Count))
        bytes.withUnsafeMutableBufferPointer { all in
            write(into: UnsafeMutableBufferPointer(rebasing: all[start...]))
        }
    }

    /// Whether `text` is exactly the canonical form of some instant, as a log and a sync chunk must hold it: the
    /// instant it parses to written back, compared byte for byte, with no String made.
    public static func canonical(_ text: String) -> Timestamp? {
        guard let time = Timestamp(rfc3339: text) else { return nil }
        var text = text
        return text.withUTF8 { given in
            guard given.count == rfc3339Count else { return false }
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: rfc3339Count) { written in
                time.write(into: written)
                return written.elementsEqual(given)
            }
        } ? time : nil
    }

    /// Writes the canonical form into the first `rfc3339Count` bytes of `buffer`.
    func write(into buffer: UnsafeMutableBufferPointer<UInt8>) {
        let millis = ((millisecondsSinceEpoch % 1000) + 1000) % 1000
        let seconds = (millisecondsSinceEpoch - millis) / 1000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = Self.civil(fromDays: days)
        func put(_ value: Int64, _ width: Int, at offset: Int) {
            var value = value
            for index in stride(from: offset + width - 1, through: offset, by: -1) {
                buffer[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value % 10)
                value /= 10
            }
        }
        put(year, 4, at: 0)
        buffer[4] = UInt8(ascii: "-")
        put(month, 2, at: 5)
        buffer[7] = UInt8(ascii: "-")
        put(day, 2, at: 8)
        buffer[10] = UInt8(ascii: "T")
        put(secondOfDay / 3600, 2, at: 11)
        buffer[13] = UInt8(ascii: ":")
        put(secondOfDay / 60 % 60, 2, at: 14)
        buffer[16] = UInt8(ascii: ":")
        put(secondOfDay % 60, 2, at: 17)
        buffer[19] = UInt8(ascii: ".")
        put(millis, 3, at: 20)
        buffer[23] = UInt8(ascii: "Z")
    }

    /// Parses RFC 3339 (`Z` or `±HH:MM` offset, optional fraction); digits past milliseconds are truncated.
    public init?(rfc3339 text: String) {
        // Reading a log parses two per row: parse in place when the string is contiguous UTF-8.
        var text = text
        guard let parsed = text.withUTF8({ Timestamp(rfc3339Bytes: $0) }) else { return nil }
        self = parsed
    }

    init?(rfc3339Bytes bytes: UnsafeBufferPointer<UInt8>) {
        var index = 0
        func number(_ width: Int) -> Int64? {
            guard index + width <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[index..<index + width] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            index += width
            return value
        }
        // Bytes, not a String of choices: building and walking one per separator cost 2% of verify.
        func expect(_ first: UInt8, or second: UInt8? = nil, or third: UInt8? = nil) -> Bool {
            guard index < bytes.count else { return false }
            let byte = bytes[index]
            guard byte == first || byte == second || byte == third else { return false }
            index += 1
            return true
        }
        let dash = UInt8(ascii: "-")
        let colon = UInt8(ascii: ":")
        guard let year = number(4), expect(dash), let month = number(2), expect(dash), let day = number(2),
            expect(UInt8(ascii: "T"), or: UInt8(ascii: "t"), or: UInt8(ascii: " ")), let hour = number(2),
            expect(colon), let minute = number(2), expect(colon), let second = number(2)
        else { return nil }
        guard (1...12).contains(month), (1...Self.daysIn(month: month, year: year)).contains(day), hour < 24,
            minute < 60, second < 60
        else { return nil }
        var millis: Int64 = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                if digits < 3 { millis = millis * 10 + Int64(bytes[index] - UInt8(ascii: "0")) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 3) { millis *= 10 }
        }
        var offsetMinutes: Int64 = 0
        if expect(UInt8(ascii: "Z"), or: UInt8(ascii: "z")) {
        } else if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            let sign: Int64 = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard let offsetHour = number(2), expect(colon), let offsetMinute = number(2), offsetHour < 24,
                offsetMinute < 60
            else { return nil }
            offsetMinutes = sign * (offsetHour * 60 + offsetMinute)
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        let days = Self.days(fromCivil: year, month, day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60
        // The stored form has a four-digit year: an offset may not push the instant outside 0000–9999 UTC.
        guard (Self.earliest...Self.latest).contains(seconds) else { return nil }
        self.init(millisecondsSinceEpoch: seconds * 1000 + millis)
    }

    static let earliest = days(fromCivil: 0, 1, 1) * 86_400
    static let latest = days(fromCivil: 10_000, 1, 1) * 86_400 - 1

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // Howard Hinnant's civil calendar algorithms (proleptic Gregorian).
    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
