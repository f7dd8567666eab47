import AuditCrypto

/// The one way a site name becomes part of a file name: a site is never a path.
public enum SiteFileName {
    /// Longest result in bytes, well under the 255 a file name may hold, leaving room for a prefix and a suffix.
    public static let maximumLength = 120

    /// `[A-Za-z0-9_-]` kept, every other UTF-8 byte written `%XX` (so `/` and `.` cannot climb), and a name longer
    /// than `maximumLength` cut and followed by `~` and 16 hex digits of the site's SHA-256, so distinct sites stay distinct.
    public static func make(_ site: String) -> String {
        var escaped = ""
        for byte in site.utf8 {
            if isSafe(byte) {
                escaped.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                escaped += "%" + hex(byte)
            }
        }
        if escaped.isEmpty { return "%" }
        guard escaped.utf8.count > maximumLength else { return escaped }
        let digest = SHA256.hash(Array(site.utf8)).hex.prefix(16)
        return String(escaped.prefix(maximumLength - 17)) + "~" + digest
    }

    private static func isSafe(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default: false
        }
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }
}
