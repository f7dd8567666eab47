import AuditCrypto

/// An event as stored: every column of its row, in the form that is hashed.
public struct LoggedEvent: Sendable, Hashable {
    public var seq: Int64
    public var eventID: String
    public var site: String
    public var stack: String?
    public var type: String
    /// The canonical JSON text of `data`, byte for byte as hashed.
    public var payload: String
    public var observedAt: Timestamp
    public var recordedAt: Timestamp
    public var actor: String
    public var prevHash: Digest
    public var hash: Digest

    public init(
        seq: Int64, eventID: String, site: String, stack: String?, type: String, payload: String,
        observedAt: Timestamp, recordedAt: Timestamp, actor: String, prevHash: Digest, hash: Digest
    ) {
        self.seq = seq
        self.eventID = eventID
        self.site = site
        self.stack = stack
        self.type = type
        self.payload = payload
        self.observedAt = observedAt
        self.recordedAt = recordedAt
        self.actor = actor
        self.prevHash = prevHash
        self.hash = hash
    }

    /// The payload parsed back; stored payloads are canonical JSON objects, so this only fails on a tampered row.
    public func data() throws(JSONParseError) -> JSONValue {
        try JSONValue(parsing: payload)
    }

    /// The JSON object `audit log --format json` prints for this event.
    public var json: JSONValue {
        [
            "seq": .integer(seq),
            "event_id": .string(eventID),
            "site": .string(site),
            "stack": stack.map(JSONValue.string) ?? .null,
            "type": .string(type),
            "data": (try? data()) ?? .string(payload),
            "observed_at": .string(observedAt.rfc3339),
            "recorded_at": .string(recordedAt.rfc3339),
            "actor": .string(actor),
            "prev_hash": .string(prevHash.hex),
            "hash": .string(hash.hex),
        ]
    }
}
