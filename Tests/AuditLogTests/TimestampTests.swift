import Testing

@testable import AuditLog

@Suite struct TimestampTests {
    @Test(arguments: [
        ("2026-11-25T10:00:00Z", "2026-11-25T10:00:00.000Z"),
        ("2026-11-25T10:00:00.5+01:00", "2026-11-25T09:00:00.500Z"),
        ("2024-02-29T23:59:59.123456-00:30", "2024-03-01T00:29:59.123Z"),
        ("1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z"),
        ("2000-01-01t00:00:00z", "2000-01-01T00:00:00.000Z"),
        // FORMAT.md §2.1: a space separator; digits past the milliseconds dropped, not rounded; -00:00 is UTC.
        ("2026-11-25 10:00:00.5+01:00", "2026-11-25T09:00:00.500Z"),
        ("2026-11-25T10:00:00.99999Z", "2026-11-25T10:00:00.999Z"),
        ("2026-11-25T10:00:00-00:00", "2026-11-25T10:00:00.000Z"),
    ])
    func normalisesToUTCMilliseconds(input: String, canonical: String) throws {
        let time = try #require(Timestamp(rfc3339: input))
        #expect(time.rfc3339 == canonical)
        #expect(Timestamp(rfc3339: canonical) == time)
        // The byte form hashing and COPY rows write, and the check a sync chunk's times must pass.
        var bytes: [UInt8] = [0x41]
        time.appendRFC3339(to: &bytes)
        #expect(bytes == [0x41] + Array(canonical.utf8))
        #expect(Timestamp.canonical(canonical) == time)
        #expect(Timestamp.canonical(input) == (input == canonical ? time : nil))
    }

    @Test(arguments: [
        "2026-11-25", "2026-11-25T10:00:00", "2026-13-01T00:00:00Z", "2023-02-29T00:00:00Z",
        "2026-11-25T24:00:00Z", "2026-11-25T10:00:00.Z", "yesterday", "2026-11-25T10:00:00+0100",
        // A leap second, two separators, an offset of 24 hours, an instant past year 9999 UTC.
        "2016-12-31T23:59:60Z", "2026-11-25  10:00:00Z", "2026-11-25T10:00:00+24:00", "9999-12-31T23:00:00-01:00",
    ])
    func refusesWhatIsNotRFC3339(input: String) {
        #expect(Timestamp(rfc3339: input) == nil)
    }
}
