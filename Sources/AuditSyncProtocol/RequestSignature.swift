import AuditCrypto
import Foundation

/// How every sync request is authenticated (FORMAT.md, Part IV): the installer's Ed25519 key signs the method,
/// the path, a timestamp, a nonce and the body's SHA-256.
public struct RequestSignature: Sendable, Hashable {
    public static let installerHeader = "Audit-Installer"
    public static let timestampHeader = "Audit-Timestamp"
    public static let nonceHeader = "Audit-Nonce"
    public static let signatureHeader = "Audit-Signature"
    /// Seconds a request's timestamp may differ from the collector's clock; nonces are remembered this long.
    public static let window: Int64 = 300
    public static let domain = "audit-collector-request/v1"

    public var installer: String
    /// Seconds since the Unix epoch.
    public var timestamp: Int64
    /// 32 lowercase hex characters (16 random bytes), never reused.
    public var nonce: String
    public var signature: [UInt8]

    public init(installer: String, timestamp: Int64, nonce: String, signature: [UInt8]) {
        self.installer = installer
        self.timestamp = timestamp
        self.nonce = nonce
        self.signature = signature
    }

    /// The exact bytes signed: six lines, each ending in LF.
    public static func message(method: String, path: String, timestamp: Int64, nonce: String, body: [UInt8]) -> [UInt8]
    {
        Array("\(domain)\n\(method)\n\(path)\n\(timestamp)\n\(nonce)\n\(SHA256.hash(body).hex)\n".utf8)
    }

    /// Signs a request now with a fresh nonce.
    public static func sign(
        method: String, path: String, body: [UInt8], installer: String, key: Ed25519PrivateKey,
        now: Int64 = Int64(Date().timeIntervalSince1970)
    ) -> RequestSignature {
        let nonce = Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255) })
        let message = message(method: method, path: path, timestamp: now, nonce: nonce, body: body)
        return RequestSignature(installer: installer, timestamp: now, nonce: nonce, signature: key.sign(message))
    }

    /// The four headers, by name.
    public var headers: [String: String] {
        [
            Self.installerHeader: installer, Self.timestampHeader: String(timestamp), Self.nonceHeader: nonce,
            Self.signatureHeader: Data(signature).base64EncodedString(),
        ]
    }

    /// Reads the four headers; nil for any that is missing or malformed, with the reason.
    public init(headers value: (String) -> String?) throws(SyncError) {
        guard let installer = value(Self.installerHeader), !installer.isEmpty else {
            throw .unauthenticated("no \(Self.installerHeader) header")
        }
        guard let timestampText = value(Self.timestampHeader), let timestamp = Int64(timestampText) else {
            throw .unauthenticated("no \(Self.timestampHeader) header of Unix seconds")
        }
        guard let nonce = value(Self.nonceHeader), nonce.utf8.count == 32, Hex.decode(nonce) != nil,
            nonce == nonce.lowercased()
        else { throw .unauthenticated("no \(Self.nonceHeader) header of 32 lowercase hex characters") }
        guard let signatureText = value(Self.signatureHeader), let signature = Data(base64Encoded: signatureText),
            signature.count == Ed25519PublicKey.signatureLength
        else { throw .unauthenticated("no \(Self.signatureHeader) header of a base64 Ed25519 signature") }
        self.init(installer: installer, timestamp: timestamp, nonce: nonce, signature: Array(signature))
    }

    /// Checks the clock window and the signature; the nonce's freshness is the store's to check.
    public func verify(
        method: String, path: String, body: [UInt8], key: Ed25519PublicKey, now: Int64
    ) throws(SyncError) {
        guard abs(now - timestamp) <= Self.window else {
            throw .unauthenticated("the request's timestamp is more than \(Self.window) s from the collector's clock")
        }
        let message = Self.message(method: method, path: path, timestamp: timestamp, nonce: nonce, body: body)
        guard key.verify(signature: signature, message: message) else {
            throw .unauthenticated("the signature does not verify with installer '\(installer)''s key")
        }
    }
}

/// The collector's endpoints and limits, shared by client and server.
public enum SyncProtocol {
    /// The most events one chunk may carry.
    public static let maximumChunkEvents = 2000
    /// The largest request body the collector reads.
    public static let maximumBodySize = 8 * 1024 * 1024
    public static let chunkContentType = "application/json"
    public static let checkpointContentType = "text/plain; charset=utf-8"

    public static func statePath(logID: String) -> String { "/v1/logs/\(logID)/state" }
    public static func eventsPath(logID: String) -> String { "/v1/logs/\(logID)/events" }
    public static func checkpointPath(logID: String) -> String { "/v1/logs/\(logID)/checkpoint" }
    public static let collectorPath = "/v1/collector"
}
