import AuditLog

/// The write-ahead intent: recorded before the transfer starts, so an interrupted push stays visible.
public struct PushStarted: EventPayload, Codable {
    public var imageSHA256: String
    public var targetVersion: String
    public var transport: String
    public var attempt: Int

    public init(imageSHA256: String, targetVersion: String, transport: String, attempt: Int) {
        self.imageSHA256 = imageSHA256
        self.targetVersion = targetVersion
        self.transport = transport
        self.attempt = attempt
    }

    init(reading payload: PayloadReader) throws(DomainError) {
        self.init(
            imageSHA256: try payload.string("image_sha256"), targetVersion: try payload.string("target_version"),
            transport: try payload.string("transport"), attempt: try payload.integer("attempt"))
    }

    var fields: [String: JSONValue] {
        [
            "image_sha256": .string(imageSHA256), "target_version": .string(targetVersion),
            "transport": .string(transport), "attempt": .integer(Int64(attempt)),
        ]
    }
}

public struct PushProgress: EventPayload {
    public var percent: Int

    public init(percent: Int) { self.percent = percent }

    init(reading payload: PayloadReader) throws(DomainError) { percent = try payload.integer("percent") }

    var fields: [String: JSONValue] { ["percent": .integer(Int64(percent))] }
}
