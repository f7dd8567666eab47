import AuditLog

/// Typed access to one payload's fields; every refusal names the event type and the field.
struct PayloadReader {
    /// Flat payloads (nearly all of them) are read in place; nested ones are parsed into a tree.
    private enum Storage {
        case flat(FlatPayload)
        case tree([String: JSONValue])

        subscript(key: String) -> JSONValue? {
            switch self {
            case .flat(let payload): payload[key]
            case .tree(let fields): fields[key]
            }
        }
    }

    let type: EventType
    private let storage: Storage
    /// The schema version, already checked to be one this audit reads.
    let version: Int64

    init(type: EventType, payload: String) throws(DomainError) {
        if let flat = FlatPayload(payload) {
            try self.init(type: type, storage: .flat(flat))
            return
        }
        let value: JSONValue
        do { value = try JSONValue(parsing: payload) } catch {
            throw .invalidPayload(type: type.rawValue, reason: "payload is not valid JSON (\(error))")
        }
        try self.init(type: type, data: value)
    }

    init(type: EventType, data: JSONValue) throws(DomainError) {
        guard case .object(let fields) = data else {
            throw .invalidPayload(type: type.rawValue, reason: "payload is not a JSON object")
        }
        try self.init(type: type, storage: .tree(fields))
    }

    private init(type: EventType, storage: Storage) throws(DomainError) {
        self.type = type
        self.storage = storage
        let version = storage["v"]?.integerValue ?? 1
        guard version >= 1 else { throw .invalidPayload(type: type.rawValue, reason: "'v' must be at least 1") }
        guard version <= type.currentVersion else { throw .unsupportedVersion(type: type.rawValue, version: version) }
        self.version = version
    }

    func fail(_ key: String, _ reason: String) -> DomainError {
        .invalidPayload(type: type.rawValue, reason: "'\(key)' \(reason)")
    }

    func value(_ key: String) throws(DomainError) -> JSONValue {
        guard let value = storage[key], !value.isNull else { throw fail(key, "is missing") }
        return value
    }

    /// True when the payload has the key with a non-null value.
    func has(_ key: String) -> Bool { storage[key].map { !$0.isNull } ?? false }

    func string(_ key: String) throws(DomainError) -> String {
        guard let text = try value(key).stringValue else { throw fail(key, "must be a string") }
        return text
    }

    /// A string field that may be absent (or null); present, it must be a string.
    func optionalString(_ key: String) throws(DomainError) -> String? {
        guard let value = storage[key], !value.isNull else { return nil }
        guard let text = value.stringValue else { throw fail(key, "must be a string") }
        return text
    }

    func integer(_ key: String) throws(DomainError) -> Int {
        guard let number = try value(key).integerValue else { throw fail(key, "must be an integer") }
        return Int(number)
    }

    /// Parses a string field with a value parser, reporting its error against the field.
    func parse<T>(_ key: String, _ parser: (String) throws(DomainError) -> T) throws(DomainError) -> T {
        let text = try string(key)
        do { return try parser(text) } catch { throw fail(key, "is invalid: \(error)") }
    }
}
