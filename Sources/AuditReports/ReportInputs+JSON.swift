import AuditCrypto
import AuditLog

/// Reads back from report.json the inputs every other field is derived from.
extension ReportInputs {
    public init(json: JSONValue) throws(ReportError) {
        let root = try JSONFields(json, path: "report")
        let format = try root.string("format")
        guard format == Report.formatVersion else {
            throw .malformed("format is '\(format)'; this audit reads \(Report.formatVersion)")
        }
        let checkpoint = try root.object("checkpoint")
        self.init(
            site: try root.string("site"), generatedAt: try root.timestamp("generated_at"),
            checkpoint: Checkpoint(
                logID: try root.string("log_id"), genesis: try checkpoint.digest("genesis"),
                size: try checkpoint.integer("size"), head: try checkpoint.digest("head"),
                root: try checkpoint.digest("root")),
            keyID: try root.string("key_id"),
            events: try root.array("events").enumerated().map { (index, value) throws(ReportError) in
                try ProvenEvent(json: JSONFields(value, path: "events[\(index)]"))
            },
            witnessing: try ReportWitnessing(json: root.object("witnessing")))
    }
}

extension ProvenEvent {
    init(json event: JSONFields) throws(ReportError) {
        let logged = LoggedEvent(
            seq: try event.integer("seq"), eventID: try event.string("event_id"), site: try event.string("site"),
            stack: try event.optionalString("stack"), type: try event.string("type"),
            payload: try event.string("payload"), observedAt: try event.timestamp("observed_at"),
            recordedAt: try event.timestamp("recorded_at"), actor: try event.string("actor"),
            prevHash: try event.digest("prev_hash"), hash: try event.digest("hash"))
        let proof = try event.array("proof").enumerated().map { (index, value) throws(ReportError) in
            guard let text = value.stringValue, let digest = Digest(hex: text) else {
                throw ReportError.malformed("\(event.path).proof[\(index)] must be 64 lowercase hex characters")
            }
            return digest
        }
        self.init(event: logged, proof: proof)
    }
}

/// Typed access to one JSON object, naming the field's path in every refusal.
struct JSONFields {
    let members: [String: JSONValue]
    let path: String

    init(_ value: JSONValue, path: String) throws(ReportError) {
        guard case .object(let members) = value else { throw .malformed("\(path) must be an object") }
        self.members = members
        self.path = path
    }

    func value(_ key: String) throws(ReportError) -> JSONValue {
        guard let value = members[key] else { throw .malformed("\(path).\(key) is missing") }
        return value
    }

    func string(_ key: String) throws(ReportError) -> String {
        guard let text = try value(key).stringValue else { throw .malformed("\(path).\(key) must be a string") }
        return text
    }

    func optionalString(_ key: String) throws(ReportError) -> String? {
        let value = try value(key)
        if value.isNull { return nil }
        guard let text = value.stringValue else { throw .malformed("\(path).\(key) must be a string or null") }
        return text
    }

    func integer(_ key: String) throws(ReportError) -> Int64 {
        guard let number = try value(key).integerValue else { throw .malformed("\(path).\(key) must be an integer") }
        return number
    }

    func digest(_ key: String) throws(ReportError) -> Digest {
        guard let digest = Digest(hex: try string(key)) else {
            throw .malformed("\(path).\(key) must be 64 lowercase hex characters")
        }
        return digest
    }

    /// Only the canonical `YYYY-MM-DDTHH:MM:SS.sssZ` spelling, the one that was hashed.
    func timestamp(_ key: String) throws(ReportError) -> Timestamp {
        let text = try string(key)
        guard let time = Timestamp(rfc3339: text), time.rfc3339 == text else {
            throw .malformed("\(path).\(key) '\(text)' is not a canonical RFC 3339 UTC time")
        }
        return time
    }

    func array(_ key: String) throws(ReportError) -> [JSONValue] {
        guard let elements = try value(key).arrayValue else { throw .malformed("\(path).\(key) must be an array") }
        return elements
    }

    func object(_ key: String) throws(ReportError) -> JSONFields {
        try JSONFields(try value(key), path: "\(path).\(key)")
    }
}
