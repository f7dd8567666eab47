extension JSONValue {
    /// RFC 8785 (JCS) serialization; with integers only, JCS number formatting is plain decimal.
    public var canonicalText: String {
        var out = [UInt8]()
        out.reserveCapacity(128)
        writeCanonical(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public func writeCanonical(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .integer(let value): out.append(contentsOf: String(value).utf8)
        case .string(let value): Self.writeCanonical(string: value, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                element.writeCanonical(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            // JCS orders member names by their UTF-16 code units, not by Unicode scalars; for ASCII names the
            // UTF-8 bytes sort the same way and compare much faster.
            let keys =
                members.keys.allSatisfy { $0.utf8.allSatisfy { $0 < 0x80 } }
                ? members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                : members.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
            for (index, key) in keys.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeCanonical(string: key, into: &out)
                out.append(UInt8(ascii: ":"))
                members[key]!.writeCanonical(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func writeCanonical(string: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
            case 0x08: out.append(contentsOf: #"\b"#.utf8)
            case 0x09: out.append(contentsOf: #"\t"#.utf8)
            case 0x0A: out.append(contentsOf: #"\n"#.utf8)
            case 0x0C: out.append(contentsOf: #"\f"#.utf8)
            case 0x0D: out.append(contentsOf: #"\r"#.utf8)
            case 0x00..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
