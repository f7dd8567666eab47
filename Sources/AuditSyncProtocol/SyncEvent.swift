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
    public static func chunkBody(_ events: [LoggedEvent]) -> [UInt8] {
        var out: [UInt8] = []
        JSONValue.object(["events": .array(events.map(json))]).writeCanonical(into: &out)
        return out
    }

    /// Parses a chunk body; refuses unknown or missing fields, non-canonical times and non-hex hashes.
    public static func parseChunk(_ bytes: [UInt8], maximumEvents: Int) throws(SyncError) -> [LoggedEvent] {
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
            guard let time = Timestamp(rfc3339: text), time.rfc3339 == text else {
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
