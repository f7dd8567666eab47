/// Values stored in JSON as their one-line text form (`UDDDDD`, `push-fails:S2`), so the state file reads like the
/// CLI and decoding re-runs the same validation as parsing.
public protocol TextCodable: Codable, CustomStringConvertible {
    init(parsing text: String) throws
}

extension TextCodable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(error)"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
