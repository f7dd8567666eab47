import AuditCrypto
import Foundation

/// The signature types this audit speaks (c2sp.org/signed-note §Signature types).
public enum NoteSignatureType: UInt8, Sendable, Hashable {
    /// Ed25519 over the note text: a log's checkpoint signature.
    case ed25519 = 0x01
    /// A timestamped Ed25519 witness cosignature (c2sp.org/tlog-cosignature).
    case cosignatureV1 = 0x04
}

/// A note verifier key: `<name>+<hex key ID>+<base64(type || 32-byte public key)>`.
///
/// Written here rather than taken from a library: no Swift package implements C2SP notes, and the format is
/// byte-exact (key IDs are hashes of these bytes), so it is kept small and tested against published vectors.
public struct NoteVerifierKey: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let type: NoteSignatureType
    public let publicKey: Ed25519PublicKey
    /// The first 4 bytes, big-endian, of SHA-256(name || 0x0A || type || public key).
    public let keyID: UInt32

    public init(name: String, type: NoteSignatureType = .ed25519, publicKey: Ed25519PublicKey) throws(NoteError) {
        try Self.checkName(name)
        self.name = name
        self.type = type
        self.publicKey = publicKey
        keyID = Self.keyID(name: name, type: type, publicKey: publicKey.rawRepresentation)
    }

    /// Parses a verifier key string, checking that its key ID is the hash of its name and key.
    public init(parsing text: String) throws(NoteError) {
        let parts = text.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformedKey("a verifier key is NAME+KEYID+KEY") }
        guard let id = UInt32(parts[1], radix: 16), parts[1].count == 8,
            parts[1].allSatisfy({ $0.isHexDigit && !$0.isUppercase })
        else { throw .malformedKey("the key ID '\(parts[1])' is not 8 lowercase hex digits") }
        guard let raw = Data(base64Encoded: String(parts[2])).map(Array.init), raw.count == 33,
            let type = NoteSignatureType(rawValue: raw[0])
        else { throw .malformedKey("the key is not base64 of a type byte (01 or 04) and 32 bytes of Ed25519 key") }
        let publicKey: Ed25519PublicKey
        do { publicKey = try Ed25519PublicKey(rawRepresentation: Array(raw[1...])) } catch {
            throw .malformedKey("\(error)")
        }
        try self.init(name: String(parts[0]), type: type, publicKey: publicKey)
        guard keyID == id else {
            throw .malformedKey("the key ID \(parts[1]) is not the hash of the name and key (\(Self.hex(keyID)))")
        }
    }

    public var description: String {
        "\(name)+\(Self.hex(keyID))+\(Data([type.rawValue] + publicKey.rawRepresentation).base64EncodedString())"
    }

    static func keyID(name: String, type: NoteSignatureType, publicKey: [UInt8]) -> UInt32 {
        let digest = SHA256.hash(Array(name.utf8) + [0x0A, type.rawValue] + publicKey).rawBytes
        return digest.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    static func hex(_ id: UInt32) -> String {
        let text = String(id, radix: 16)
        return String(repeating: "0", count: 8 - text.count) + text
    }

    /// Key names are non-empty and hold no Unicode space and no `+`.
    static func checkName(_ name: String) throws(NoteError) {
        guard !name.isEmpty, !name.unicodeScalars.contains(where: { $0 == "+" || $0.properties.isWhitespace })
        else { throw .malformedKey("a key name is non-empty, with no spaces and no '+'") }
    }
}

/// A note signer: the private half of a `NoteVerifierKey`.
public struct NoteSigner: Sendable {
    public let verifierKey: NoteVerifierKey
    let privateKey: Ed25519PrivateKey

    public init(name: String, type: NoteSignatureType = .ed25519, privateKey: Ed25519PrivateKey) throws(NoteError) {
        verifierKey = try NoteVerifierKey(name: name, type: type, publicKey: privateKey.publicKey)
        self.privateKey = privateKey
    }

    /// Parses Go's `PRIVATE+KEY+<name>+<hex key ID>+<base64(type || 32-byte seed)>` form (golang.org/x/mod/sumdb/note).
    public init(parsing text: String) throws(NoteError) {
        let prefix = "PRIVATE+KEY+"
        guard text.hasPrefix(prefix) else { throw .malformedKey("a signer key starts with PRIVATE+KEY+") }
        let parts = text.dropFirst(prefix.count).split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let raw = Data(base64Encoded: String(parts[2])).map(Array.init), raw.count == 33,
            let type = NoteSignatureType(rawValue: raw[0])
        else { throw .malformedKey("a signer key is PRIVATE+KEY+NAME+KEYID+KEY") }
        let key: Ed25519PrivateKey
        do { key = try Ed25519PrivateKey(rawRepresentation: Array(raw[1...])) } catch {
            throw .malformedKey("\(error)")
        }
        try self.init(name: String(parts[0]), type: type, privateKey: key)
        guard NoteVerifierKey.hex(verifierKey.keyID) == parts[1] else {
            throw .malformedKey("the key ID \(parts[1]) is not the hash of the name and key")
        }
    }

    /// Signs `message` and returns the signature line's payload: key ID || `prefix` || signature.
    func signature(over message: [UInt8], prefix: [UInt8] = []) -> NoteSignature {
        NoteSignature(name: verifierKey.name, keyID: verifierKey.keyID, bytes: prefix + privateKey.sign(message))
    }
}
