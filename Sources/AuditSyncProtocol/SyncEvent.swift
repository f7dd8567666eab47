import AuditCrypto
import AuditLog

/// The wire form of one event: exactly the stored columns, as report.json's `events` carry them (payload as text).
public enum SyncEvent {
    /// The JSON object sent for `event`.
    public static func json(_ event: LoggedEvent) -> JSONValue {
        [
            "seq": .integer(event.seq), "event_id": .string(event.eventID), "site": .string(event.site),
            "stack": event.stack.map(JSONValue.string) ?? .null, "type": .string(event.type),
            "payload": .string(event.payload), "observed_at": .string(event.observedAt.rfc3339),
            "recorded_at": .string(event.recordedAt.rfc3339), "actor": .string(event.actor),
            "prev_hash": .string(event.prevHash.hex), "hash": .string(event.hash.hex),
        ]
    }

    /// The body of an events chunk: `{"events": [...]}` in canonical JSON.
    ///
    /// Written member by member in canonical order, the same bytes as `json(_:)`'s canonical form without building
    /// a dictionary per event: the laptop encodes every event of its log this way.
    public static func chunkBody(_ events: [LoggedEvent]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(events.count * 640)
        out.append(contentsOf: #"{"events":["#.utf8)
        for (index, event) in events.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            write(event, into: &out)
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }

    /// One event's canonical object: its members in the UTF-16 order of their names, as JCS sorts them.
    static func write(_ event: LoggedEvent, into out: inout [UInt8]) {
        func member(_ name: String, _ value: String, first: Bool = false) {
            out.append(contentsOf: (first ? #"{""# : #",""#).utf8)
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: #"":"#.utf8)
            writeString(value, into: &out)
        }
        member("actor", event.actor, first: true)
        member("event_id", event.eventID)
        member("hash", event.hash.hex)
        member("observed_at", event.observedAt.rfc3339)
        member("payload", event.payload)
        member("prev_hash", event.prevHash.hex)
        member("recorded_at", event.recordedAt.rfc3339)
        out.append(contentsOf: #","seq":"#.utf8)
        out.append(contentsOf: String(event.seq).utf8)
        member("site", event.site)
        if let stack = event.stack {
            member("stack", stack)
        } else {
            out.append(contentsOf: #","stack":null"#.utf8)
        }
        member("type", event.type)
        out.append(UInt8(ascii: "}"))
    }

    /// A string as `JSONValue.string(value).writeCanonical` writes it, the runs that need no escape copied whole:
    /// a payload is JSON itself, so its quotes make the byte-at-a-time writer the laptop's largest cost.
    static func writeString(_ value: String, into out: inout [UInt8]) {
        var value = value
        out.append(UInt8(ascii: "\""))
        value.withUTF8 { bytes in
            var start = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                out.append(contentsOf: escapes[Int(byte)])
                start = index + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The escape of each byte below 0x60 that has one, taken from the canonical writer so both agree.
    static let escapes: [[UInt8]] = (0..<0x60).map { (byte: UInt8) -> [UInt8] in
        var text: [UInt8] = []
        JSONValue.string(String(UnicodeScalar(byte))).writeCanonical(into: &text)
        return Array(text.dropFirst().dropLast())
    }

    /// Parses a chunk body; refuses unknown or missing fields, non-canonical times and non-hex hashes.
    public static func parseChunk(_ bytes: [UInt8], maximumEvents: Int) throws(SyncError) -> [LoggedEvent] {
        // What `chunkBody` writes is read straight into events; anything else (and every refusal) takes the
        // general path below, so both accept exactly the same bodies and every refusal keeps its reason.
        if let events = ChunkScanner.events(bytes, maximumEvents: maximumEvents) { return events }
        let value: JSONValue
        do { value = try JSONValue(parsing: bytes) } catch { throw .malformed("the body is not JSON: \(error)") }
        guard case .object(let root) = value, root.count == 1, let list = root["events"]?.arrayValue else {
            throw .malformed("the body is not {\"events\": [...]}")
        }
        guard !list.isEmpty else { throw .malformed("the chunk holds no event") }
        guard list.count <= maximumEvents else {
            throw .malformed("the chunk holds \(list.count) events; at most \(maximumEvents) are read")
        }
        var events: [LoggedEvent] = []
        events.reserveCapacity(list.count)
        for (index, element) in list.enumerated() { events.append(try parse(element, path: "events[\(index)]")) }
        return events
    }

    static let fields: Set<String> = [
        "seq", "event_id", "site", "stack", "type", "payload", "observed_at", "recorded_at", "actor", "prev_hash",
        "hash",
    ]

    static func parse(_ value: JSONValue, path: String) throws(SyncError) -> LoggedEvent {
        guard case .object(let members) = value else { throw .malformed("\(path) is not an object") }
        guard Set(members.keys) == fields else {
            throw .malformed("\(path) must have exactly the fields \(fields.sorted().joined(separator: ", "))")
        }
        func string(_ key: String) throws(SyncError) -> String {
            guard let text = members[key]?.stringValue else { throw .malformed("\(path).\(key) must be a string") }
            return text
        }
        func time(_ key: String) throws(SyncError) -> Timestamp {
            let text = try string(key)
            guard let time = Timestamp.canonical(text) else {
                throw .malformed("\(path).\(key) is not a canonical RFC 3339 UTC time")
            }
            return time
        }
        func digest(_ key: String) throws(SyncError) -> Digest {
            let text = try string(key)
            guard let digest = Digest(hex: text), digest.hex == text else {
                throw .malformed("\(path).\(key) must be 64 lowercase hex characters")
            }
            return digest
        }
        guard let seq = members["seq"]?.integerValue, seq >= 1 else {
            throw .malformed("\(path).seq must be a positive integer")
        }
        let stack: String?
        switch members["stack"] {
        case .some(.null): stack = nil
        case .some(.string(let text)): stack = text
        default: throw .malformed("\(path).stack must be a string or null")
        }
        return LoggedEvent(
            seq: seq, eventID: try string("event_id"), site: try string("site"), stack: stack,
            type: try string("type"), payload: try string("payload"), observedAt: try time("observed_at"),
            recordedAt: try time("recorded_at"), actor: try string("actor"), prevHash: try digest("prev_hash"),
            hash: try digest("hash"))
    }
}

/// The collector's fast path for a chunk in the form `SyncEvent.chunkBody` writes (no whitespace, one object per
/// event, plain escapes): the events without a JSONValue tree, which cost the collector a third of its CPU.
///
/// It returns nil at the first thing it does not expect, valid or not; `parseChunk` then parses the body the
/// general way, which accepts or refuses it with its reason. So it accepts only what the general path accepts,
/// with the same values: the same fields once each, strings decoded the same way, the same canonical checks.
enum ChunkScanner {
    static func events(_ bytes: [UInt8], maximumEvents: Int) -> [LoggedEvent]? {
        bytes.withUnsafeBufferPointer { buffer in
            var scanner = Scanner(bytes: buffer)
            return scanner.chunk(maximumEvents: maximumEvents)
        }
    }

    struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        mutating func literal(_ text: StaticString) -> Bool {
            let count = text.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            let matches = text.withUTF8Buffer { expected in
                (0..<count).allSatisfy { bytes[index + $0] == expected[$0] }
            }
            if matches { index += count }
            return matches
        }

        mutating func byte(_ expected: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == expected else { return false }
            index += 1
            return true
        }

        mutating func chunk(maximumEvents: Int) -> [LoggedEvent]? {
            guard literal(#"{"events":["#) else { return nil }
            var events: [LoggedEvent] = []
            events.reserveCapacity(min(maximumEvents, 4096))
            repeat {
                guard events.count < maximumEvents, let event = event() else { return nil }
                events.append(event)
            } while byte(UInt8(ascii: ","))
            guard literal("]}"), index == bytes.count else { return nil }
            return events
        }

        /// A JSON string as JSONParser decodes it: the simple escapes; nil for \u, a control byte, or invalid UTF-8.
        mutating func string() -> String? {
            guard byte(UInt8(ascii: "\"")) else { return nil }
            let start = index
            var plain = true
            var ascii = true
            while index < bytes.count {
                let current = bytes[index]
                if current == UInt8(ascii: "\"") { break }
                if current < 0x20 { return nil }
                if current == UInt8(ascii: "\\") {
                    plain = false
                    index += 1
                } else if current >= 0x80 {
                    ascii = false
                }
                index += 1
            }
            guard index < bytes.count else { return nil }
            let raw = UnsafeBufferPointer(rebasing: bytes[start..<index])
            index += 1
            if plain {
                if ascii { return String(decoding: raw, as: UTF8.self) }
                return String(validating: raw, as: UTF8.self)
            }
            var out: [UInt8] = []
            out.reserveCapacity(raw.count)
            var position = 0
            while position < raw.count {
                let current = raw[position]
                position += 1
                guard current == UInt8(ascii: "\\") else {
                    out.append(current)
                    continue
                }
                guard position < raw.count else { return nil }
                guard let byte = JSONEscape.byte(raw[position]) else { return nil }
                position += 1
                out.append(byte)
            }
            return ascii ? String(decoding: out, as: UTF8.self) : String(validating: out, as: UTF8.self)
        }

        /// A positive integer of at most 15 digits (below JSON's safe integers), no sign, no leading zero.
        mutating func integer() -> Int64? {
            let start = index
            var value: Int64 = 0
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                value = value * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
                index += 1
            }
            let digits = index - start
            guard (1...15).contains(digits), bytes[start] != UInt8(ascii: "0") else { return nil }
            return value
        }

        static func time(_ text: String) -> Timestamp? { Timestamp.canonical(text) }

        static func digest(_ text: String) -> Digest? {
            var text = text
            return text.withUTF8 { raw -> Digest? in
                guard raw.count == 64,
                    raw.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
                else { return nil }
                return Digest(hexBuffer: UnsafeRawBufferPointer(raw))
            }
        }

        mutating func event() -> LoggedEvent? {
            guard byte(UInt8(ascii: "{")) else { return nil }
            var seq: Int64?
            var strings: [String?] = Array(repeating: nil, count: 9)
            var stack: String??
            var seen = 0
            repeat {
                guard let name = string(), byte(UInt8(ascii: ":")) else { return nil }
                let slot: Int
                switch name {
                case "seq":
                    guard seq == nil, let value = integer() else { return nil }
                    seq = value
                    seen += 1
                    continue
                case "stack":
                    guard stack == nil else { return nil }
                    if literal("null") {
                        stack = .some(nil)
                    } else {
                        guard let text = string() else { return nil }
                        stack = .some(text)
                    }
                    seen += 1
                    continue
                case "event_id": slot = 0
                case "site": slot = 1
                case "type": slot = 2
                case "payload": slot = 3
                case "observed_at": slot = 4
                case "recorded_at": slot = 5
                case "actor": slot = 6
                case "prev_hash": slot = 7
                case "hash": slot = 8
                default: return nil
                }
                guard strings[slot] == nil, let value = string() else { return nil }
                strings[slot] = value
                seen += 1
            } while byte(UInt8(ascii: ","))
            guard byte(UInt8(ascii: "}")), seen == 11, let seq, let stack,
                let eventID = strings[0], let site = strings[1], let type = strings[2], let payload = strings[3],
                let observed = strings[4].flatMap(Self.time), let recorded = strings[5].flatMap(Self.time),
                let actor = strings[6], let prevHash = strings[7].flatMap(Self.digest),
                let hash = strings[8].flatMap(Self.digest)
            else { return nil }
            return LoggedEvent(
                seq: seq, eventID: eventID, site: site, stack: stack, type: type, payload: payload,
                observedAt: observed, recordedAt: recorded, actor: actor, prevHash: prevHash, hash: hash)
        }
    }
}
