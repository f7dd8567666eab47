import AuditCrypto

/// The byte encoding of FORMAT.md §2: what each event's `hash` is the SHA-256 of.
public enum ChainHash {
    public static let genesisDomain = "audit.genesis.v1"

    /// The prev_hash of seq 1: binds the chain to one log id, so two logs' chains cannot be spliced.
    public static func genesis(logID: String) -> Digest {
        var message = [UInt8]()
        appendField(genesisDomain, to: &message)
        appendField(logID, to: &message)
        return SHA256.hash(message)
    }

    public static func hash(
        prevHash: Digest, seq: Int64, eventID: String, site: String, stack: String?, type: String,
        payload: String, observedAt: String, recordedAt: String, actor: String, using hasher: SHA256Hasher? = nil
    ) -> Digest {
        var message = [UInt8]()
        return hash(
            prevHash: prevHash, seq: seq, eventID: eventID, site: site, stack: stack, type: type, payload: payload,
            observedAt: observedAt, recordedAt: recordedAt, actor: actor, using: hasher ?? SHA256Hasher(),
            buffer: &message)
    }

    /// The append loop's form: the message buffer is reused from event to event. The times are given as their
    /// canonical text (the append loop has it rendered) or as instants (the collector's check writes their bytes):
    /// one encoder either way.
    static func hash<Time: ChainHashTime>(
        prevHash: Digest, seq: Int64, eventID: String, site: String, stack: String?, type: String,
        payload: String, observedAt: Time, recordedAt: Time, actor: String, using hasher: SHA256Hasher,
        buffer message: inout [UInt8]
    ) -> Digest {
        message.removeAll(keepingCapacity: true)
        prevHash.withUnsafeBytes { message.append(contentsOf: $0) }
        appendUInt64(UInt64(bitPattern: seq), to: &message)
        appendField(eventID, to: &message)
        appendField(site, to: &message)
        appendField(stack, to: &message)
        appendField(type, to: &message)
        appendField(payload, to: &message)
        observedAt.appendField(to: &message)
        recordedAt.appendField(to: &message)
        appendField(actor, to: &message)
        return hasher.hash(message)
    }

    /// The hash `event` must carry, its message built in `buffer` (reused from event to event) with each time
    /// written as bytes: the collector checks every event of every chunk this way.
    public static func hash(
        of event: LoggedEvent, using hasher: SHA256Hasher, buffer message: inout [UInt8]
    ) -> Digest {
        hash(
            prevHash: event.prevHash, seq: event.seq, eventID: event.eventID, site: event.site, stack: event.stack,
            type: event.type, payload: event.payload, observedAt: event.observedAt, recordedAt: event.recordedAt,
            actor: event.actor, using: hasher, buffer: &message)
    }

    public static func hash(of event: LoggedEvent) -> Digest {
        var message: [UInt8] = []
        return hash(of: event, using: SHA256Hasher(), buffer: &message)
    }

    static func appendUInt64(_ value: UInt64, to message: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) {
            message.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    /// NULL is the single byte 0x00; text is 0x01, its UTF-8 length as 4 bytes big-endian, then the bytes.
    static func appendField(_ text: String?, to message: inout [UInt8]) {
        guard let text else {
            message.append(0x00)
            return
        }
        message.append(0x01)
        appendField(utf8Count: text.utf8.count, to: &message)
        message.append(contentsOf: text.utf8)
    }

    static func appendField(utf8Count count: Int, to message: inout [UInt8]) {
        let length = UInt32(count)
        message.append(UInt8(truncatingIfNeeded: length >> 24))
        message.append(UInt8(truncatingIfNeeded: length >> 16))
        message.append(UInt8(truncatingIfNeeded: length >> 8))
        message.append(UInt8(truncatingIfNeeded: length))
    }
}

/// A time field of the message: its canonical text, already rendered or written from the instant.
protocol ChainHashTime {
    func appendField(to message: inout [UInt8])
}

extension String: ChainHashTime {
    func appendField(to message: inout [UInt8]) { ChainHash.appendField(self, to: &message) }
}

extension Timestamp: ChainHashTime {
    /// The text field of the canonical form, its bytes written in place.
    func appendField(to message: inout [UInt8]) {
        message.append(0x01)
        ChainHash.appendField(utf8Count: Timestamp.rfc3339Count, to: &message)
        appendRFC3339(to: &message)
    }
}
