/// A 32-byte SHA-256 digest kept inline, so hashing a chain allocates nothing per event.
public struct Digest: Hashable, Sendable, CustomStringConvertible {
    public var bytes: (UInt64, UInt64, UInt64, UInt64)

    public static let zero = Digest(bytes: (0, 0, 0, 0))

    public init(bytes: (UInt64, UInt64, UInt64, UInt64)) {
        self.bytes = bytes
    }

    public init?(_ raw: some Collection<UInt8>) {
        guard raw.count == 32 else { return nil }
        var digest = Digest.zero
        withUnsafeMutableBytes(of: &digest.bytes) { out in
            for (index, byte) in raw.enumerated() { out[index] = byte }
        }
        self = digest
    }

    public init?(hex: some StringProtocol) {
        self.init(hexBytes: hex.utf8)
    }

    /// Parses lowercase hex given as ASCII bytes, e.g. straight from a database buffer; allocates nothing.
    public init?(hexBytes: some Collection<UInt8>) {
        guard hexBytes.count == 64 else { return nil }
        let parsed = hexBytes.withContiguousStorageIfAvailable { Digest(hexBuffer: UnsafeRawBufferPointer($0)) }
        guard let digest = parsed ?? Array(hexBytes).withUnsafeBytes({ Digest(hexBuffer: $0) }) else { return nil }
        self = digest
    }

    /// The verify loop's parser: 64 lowercase hex digits into four big-endian words.
    public init?(hexBuffer text: UnsafeRawBufferPointer) {
        guard text.count == 64 else { return nil }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var invalid: UInt8 = 0
        let values = Hex.values
        withUnsafeMutableBytes(of: &words) { out in
            values.withUnsafeBufferPointer { values in
                for index in 0..<32 {
                    let high = values[Int(text[2 * index])]
                    let low = values[Int(text[2 * index + 1])]
                    invalid |= (high | low) & 0xF0
                    out[index] = high << 4 | (low & 0x0F)
                }
            }
        }
        guard invalid == 0 else { return nil }
        self.init(bytes: words)
    }

    public static func == (lhs: Digest, rhs: Digest) -> Bool {
        lhs.bytes.0 == rhs.bytes.0 && lhs.bytes.1 == rhs.bytes.1 && lhs.bytes.2 == rhs.bytes.2
            && lhs.bytes.3 == rhs.bytes.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(bytes.0)
        hasher.combine(bytes.1)
        hasher.combine(bytes.2)
        hasher.combine(bytes.3)
    }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try Swift.withUnsafeBytes(of: bytes, body)
    }

    public var rawBytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// Lowercase hex, the form stored in the log and printed everywhere.
    public var hex: String {
        String(unsafeUninitializedCapacity: 64) { out in
            writeHex(to: UnsafeMutableBufferPointer(rebasing: out[0..<64]))
            return 64
        }
    }

    /// The 64 lowercase hex digits into `out`, which holds exactly 64 bytes.
    private func writeHex(to out: UnsafeMutableBufferPointer<UInt8>) {
        let digits = Hex.digits
        withUnsafeBytes { raw in
            for index in 0..<32 {
                out[2 * index] = digits[Int(raw[index] >> 4)]
                out[2 * index + 1] = digits[Int(raw[index] & 0x0F)]
            }
        }
    }

    public var description: String { hex }

    /// Appends the lowercase hex to `bytes`, for output written as bytes without a String per digest.
    public func appendHex(to bytes: inout [UInt8]) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: 64))
        bytes.withUnsafeMutableBufferPointer { writeHex(to: UnsafeMutableBufferPointer(rebasing: $0[start...])) }
    }

    /// Compares with lowercase hex text without allocating; the verify loop depends on it.
    public func matchesHex(_ text: UnsafeRawBufferPointer) -> Bool {
        guard text.count == 64 else { return false }
        // The table is fetched once: a global read in the loop ran its lazy initialiser check 64 times per call.
        let digits = Hex.digits
        return withUnsafeBytes { raw in
            digits.withUnsafeBufferPointer { digits in
                for index in 0..<32 {
                    let byte = raw[index]
                    if text[2 * index] != digits[Int(byte >> 4)] || text[2 * index + 1] != digits[Int(byte & 0x0F)] {
                        return false
                    }
                }
                return true
            }
        }
    }
}

public enum Hex {
    static let digits: [UInt8] = Array("0123456789abcdef".utf8)
    /// Each ASCII byte's nibble value, or 0xFF for anything that is not a lowercase hex digit.
    static let values: [UInt8] = (0..<256).map { byte in nibble(UInt8(byte)) ?? 0xFF }

    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out = [UInt8]()
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func decode(_ hex: some StringProtocol) -> [UInt8]? {
        let utf8 = Array(hex.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    /// Lowercase only: the formats allow one spelling of each digest.
    static func nibble(_ char: UInt8) -> UInt8? {
        switch char {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): char - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): char - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
