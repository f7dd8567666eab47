import AuditCrypto
import Foundation

/// A checkpoint's note text (c2sp.org/tlog-checkpoint): origin, tree size in decimal, base64 RFC 6962 root.
public struct TlogCheckpoint: Sendable, Hashable {
    /// Unique per log; for an audit log, `audit.local/log/<log id>` (see `origin(logID:)`).
    public var origin: String
    public var size: Int64
    public var root: Digest
    /// Lines after the root; `audit` writes none, and keeps any it reads so the text round-trips.
    public var extensions: [String]

    public init(origin: String, size: Int64, root: Digest, extensions: [String] = []) {
        self.origin = origin
        self.size = size
        self.root = root
        self.extensions = extensions
    }

    /// The origin line of an audit log: names the log by its id, so no two logs share one.
    public static func origin(logID: String) -> String { "audit.local/log/\(logID)" }

    /// The note text, each line ending in a newline.
    public var text: String {
        ([origin, String(size), Data(root.rawBytes).base64EncodedString()] + extensions).map { $0 + "\n" }.joined()
    }

    public init(parsing text: String) throws(NoteError) {
        guard text.hasSuffix("\n") else { throw .malformedCheckpoint("the text does not end in a newline") }
        let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count >= 3, !lines[0].isEmpty else {
            throw .malformedCheckpoint("the text is origin, size and root hash lines")
        }
        guard let size = Int64(lines[1]), size >= 0, String(size) == lines[1] else {
            throw .malformedCheckpoint("the size '\(lines[1])' is not a decimal number without leading zeros")
        }
        guard let raw = Data(base64Encoded: lines[2]).map(Array.init), let root = Digest(raw),
            Data(raw).base64EncodedString() == lines[2]
        else { throw .malformedCheckpoint("the root '\(lines[2])' is not the base64 of 32 bytes") }
        guard !lines[3...].contains(where: \.isEmpty) else { throw .malformedCheckpoint("it holds an empty line") }
        self.init(origin: lines[0], size: size, root: root, extensions: Array(lines[3...]))
    }
}

/// A witness cosignature (c2sp.org/tlog-cosignature, `cosignature/v1`): Ed25519 over a timestamped checkpoint.
public struct Cosignature: Sendable, Hashable {
    /// Seconds since the Unix epoch at which the witness saw the checkpoint.
    public var timestamp: UInt64
    public var signature: [UInt8]

    /// What the witness signs: `cosignature/v1\ntime <seconds>\n` then the checkpoint's note text.
    public static func signedMessage(checkpointText: String, timestamp: UInt64) -> [UInt8] {
        Array("cosignature/v1\ntime \(timestamp)\n".utf8) + Array(checkpointText.utf8)
    }

    /// Reads the timestamp and signature out of a signature line's payload (8-byte big-endian time || 64 bytes).
    public init?(_ signature: NoteSignature) {
        guard signature.bytes.count == 8 + Ed25519PublicKey.signatureLength else { return nil }
        timestamp = signature.bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        self.signature = Array(signature.bytes.dropFirst(8))
    }

    /// Cosigns `checkpointText` at `timestamp` as a signature line under the witness's name.
    public static func sign(checkpointText: String, timestamp: UInt64, with signer: NoteSigner) -> NoteSignature {
        let time = withUnsafeBytes(of: timestamp.bigEndian) { Array($0) }
        return signer.signature(
            over: signedMessage(checkpointText: checkpointText, timestamp: timestamp), prefix: time)
    }

    /// Whether `signature` on a note with `text` is a valid cosignature by `key` (a `cosignatureV1` key).
    public static func verify(_ signature: NoteSignature, text: String, key: NoteVerifierKey) -> Cosignature? {
        guard key.type == .cosignatureV1, signature.name == key.name, signature.keyID == key.keyID,
            let cosignature = Cosignature(signature),
            key.publicKey.verify(
                signature: cosignature.signature,
                message: signedMessage(checkpointText: text, timestamp: cosignature.timestamp))
        else { return nil }
        return cosignature
    }
}
