import AuditLog

extension CommandTransport.Configuration {
    /// Reads a flasher configuration object, as stored in a site or CLI config file:
    /// `{"push_command": "...", "version_command": "...", "timeout_seconds": 900, "kill_grace_seconds": 3,
    /// "verify_image_sha256": true}`; only `push_command` is required, unknown keys are refused (likely typos).
    public init(json: JSONValue) throws(TransportError) {
        guard case .object(let members) = json else { throw .invalidConfiguration("expected a JSON object") }
        let known: Set = [
            "push_command", "version_command", "timeout_seconds", "kill_grace_seconds",
            "verify_image_sha256",
        ]
        if let unknown = members.keys.sorted().first(where: { !known.contains($0) }) {
            throw .invalidConfiguration("unknown key \"\(unknown)\"")
        }
        guard let push = members["push_command"]?.stringValue else {
            throw .invalidConfiguration("\"push_command\" (a string) is required")
        }
        func seconds(_ key: String, default value: Int64) throws(TransportError) -> Int64 {
            guard let member = members[key] else { return value * 1000 }
            guard let number = member.integerValue, number > 0 else {
                throw .invalidConfiguration("\"\(key)\" must be a positive integer")
            }
            return number * 1000
        }
        var version: String?
        if let member = members["version_command"], !member.isNull {
            guard let text = member.stringValue else {
                throw .invalidConfiguration("\"version_command\" must be a string")
            }
            version = text
        }
        var verify = true
        if let member = members["verify_image_sha256"] {
            guard let flag = member.boolValue else {
                throw .invalidConfiguration("\"verify_image_sha256\" must be true or false")
            }
            verify = flag
        }
        try self.init(
            pushCommand: push, versionCommand: version,
            timeoutMilliseconds: try seconds("timeout_seconds", default: 900),
            killGraceMilliseconds: try seconds("kill_grace_seconds", default: 3), verifyImageDigest: verify)
    }
}
