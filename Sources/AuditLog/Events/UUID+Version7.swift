import Foundation

extension UUID {
    /// RFC 9562 version 7: time-ordered, so the log's unique index on event_id grows at its end, not at random pages.
    public static func version7(milliseconds: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) -> UUID {
        var random = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (40 - 8 * index)) }
        // Two draws of the system generator, not one per byte: each draw is a system call.
        let entropy: (UInt64, UInt64) = (random.next(), random.next())
        withUnsafeBytes(of: entropy) { for index in 6..<16 { bytes[index] = $0[index] } }
        bytes[6] = 0x70 | (bytes[6] & 0x0F)
        bytes[8] = 0x80 | (bytes[8] & 0x3F)
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
                bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }
}
