import Foundation

/// One signature line of a note: `— <name> <base64(key ID || bytes)>`.
public struct NoteSignature: Sendable, Hashable {
    public var name: String
    public var keyID: UInt32
    /// What follows the key ID: the signature (and, for a cosignature, the timestamp before it).
    public var bytes: [UInt8]

    public init(name: String, keyID: UInt32, bytes: [UInt8]) {
        self.name = name
        self.keyID = keyID
        self.bytes = bytes
    }

    /// The line without its newline.
    public var line: String {
        let id = withUnsafeBytes(of: keyID.bigEndian) { Array($0) }
        return "\u{2014} \(name) \(Data(id + bytes).base64EncodedString())"
    }
}

/// A signed note (c2sp.org/signed-note): a text ending in a newline, a blank line, one or more signature lines.
public struct SignedNote: Sendable, Hashable {
    /// The signed text, its final newline included.
    public var text: String
    public var signatures: [NoteSignature]

    /// Verifiers must accept at least 16 signatures; more than this many is refused as a denial of service.
    public static let maximumSignatures = 64

    public init(text: String, signatures: [NoteSignature] = []) {
        self.text = text
        self.signatures = signatures
    }

    /// The note's bytes: text, blank line, one line per signature.
    public var serialized: String {
        text + "\n" + signatures.map { $0.line + "\n" }.joined()
    }

    /// Parses a note, refusing anything the format does not allow (invalid UTF-8, control characters, no signature).
    public init(parsing bytes: [UInt8]) throws(NoteError) {
        guard let whole = String(validating: bytes, as: UTF8.self) else { throw .malformedNote("it is not UTF-8") }
        guard !bytes.contains(where: { $0 < 0x20 && $0 != 0x0A }) else {
            throw .malformedNote("it holds a control character other than newline")
        }
        // The text ends at the last blank line: everything after it is signature lines.
        guard let split = whole.range(of: "\n\n", options: .backwards) else {
            throw .malformedNote("no blank line separates the text from the signatures")
        }
        let text = String(whole[..<split.lowerBound]) + "\n"
        let tail = whole[split.upperBound...]
        guard !tail.isEmpty else { throw .malformedNote("it carries no signature") }
        guard tail.hasSuffix("\n") else { throw .malformedNote("the last signature line does not end in a newline") }
        var signatures: [NoteSignature] = []
        for line in tail.dropLast().split(separator: "\n", omittingEmptySubsequences: false) {
            signatures.append(try Self.signature(line))
        }
        guard !signatures.isEmpty else { throw .malformedNote("it carries no signature") }
        guard signatures.count <= Self.maximumSignatures else {
            throw .malformedNote("it carries more than \(Self.maximumSignatures) signatures")
        }
        self.init(text: text, signatures: signatures)
    }

    /// Parses one signature line without its newline; witness responses are bare signature lines.
    public static func signature(_ line: Substring) throws(NoteError) -> NoteSignature {
        guard line.hasPrefix("\u{2014} ") else { throw .malformedNote("a signature line starts with '— '") }
        let fields = line.dropFirst(2).split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 2, !fields[0].isEmpty else {
            throw .malformedNote("a signature line is '— NAME BASE64'")
        }
        guard let raw = Data(base64Encoded: String(fields[1])).map(Array.init), raw.count > 4 else {
            throw .malformedNote("the signature of \(fields[0]) is not base64 of a key ID and a signature")
        }
        let keyID = raw.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return NoteSignature(name: String(fields[0]), keyID: keyID, bytes: Array(raw.dropFirst(4)))
    }

    /// Adds `signer`'s signature over the text.
    public mutating func sign(with signer: NoteSigner) {
        signatures.append(signer.signature(over: Array(text.utf8)))
    }

    /// The keys among `keys` whose Ed25519 signature is on the note and verifies.
    ///
    /// As the spec says: signatures from unknown keys are ignored; a known key (same name and ID) whose signature
    /// fails rejects the whole note; no verified known signature rejects it too.
    public func verify(_ keys: [NoteVerifierKey]) throws(NoteError) -> [NoteVerifierKey] {
        var verified: [NoteVerifierKey] = []
        let message = Array(text.utf8)
        for signature in signatures {
            guard let key = keys.first(where: { $0.name == signature.name && $0.keyID == signature.keyID }),
                key.type == .ed25519
            else { continue }
            guard key.publicKey.verify(signature: signature.bytes, message: message) else {
                throw .badSignature(keyName: key.name)
            }
            if !verified.contains(key) { verified.append(key) }
        }
        guard !verified.isEmpty else { throw .noKnownSignature }
        return verified
    }
}
