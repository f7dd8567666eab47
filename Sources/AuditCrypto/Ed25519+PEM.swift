import COpenSSL

/// PEM forms `openssl pkey` reads and writes: PKCS#8 "PRIVATE KEY" and SubjectPublicKeyInfo "PUBLIC KEY".
extension Ed25519PrivateKey {
    /// Decodes an unencrypted PKCS#8 PEM; refuses encrypted keys and other algorithms with a typed error.
    public init(pemRepresentation pem: String) throws(CryptoError) {
        let label = try PEMText.firstLabel(in: pem)
        if label == "ENCRYPTED PRIVATE KEY" { throw .encryptedKeyUnsupported }
        // The callback refuses every password request, so OpenSSL never prompts on a terminal.
        let key = try PEMText.decode(pem, label: label, kind: "private") {
            PEM_read_bio_PrivateKey($0, nil, { _, _, _, _ in -1 }, nil)
        }
        defer { EVP_PKEY_free(key) }
        try self.init(evpKey: key)
    }

    /// PKCS#8 "PRIVATE KEY" PEM, as `openssl genpkey -algorithm ed25519` writes it.
    public var pemRepresentation: String {
        Ed25519Raw.withKey(seed, isPrivate: true) { key in
            PEMText.mustWrite("PEM_write_bio_PrivateKey") { PEM_write_bio_PrivateKey($0, key, nil, nil, 0, nil, nil) }
        }
    }
}

extension Ed25519PublicKey {
    /// Decodes a SubjectPublicKeyInfo "PUBLIC KEY" PEM holding an Ed25519 key.
    public init(pemRepresentation pem: String) throws(CryptoError) {
        let label = try PEMText.firstLabel(in: pem)
        guard label == "PUBLIC KEY" else {
            throw .malformedPEM("expected a PUBLIC KEY block, found \(label)")
        }
        let key = try PEMText.decode(pem, label: label, kind: "public") {
            PEM_read_bio_PUBKEY($0, nil, { _, _, _, _ in -1 }, nil)
        }
        defer { EVP_PKEY_free(key) }
        try self.init(evpKey: key)
    }

    /// SubjectPublicKeyInfo "PUBLIC KEY" PEM, the form `openssl pkeyutl -pubin` reads.
    public var pemRepresentation: String {
        Ed25519Raw.withKey(rawRepresentation, isPrivate: false) { key in
            PEMText.mustWrite("PEM_write_bio_PUBKEY") { PEM_write_bio_PUBKEY($0, key) }
        }
    }
}

/// Text-level PEM checks done before OpenSSL, so errors can name what the file actually holds.
enum PEMText {
    /// The label of the first `-----BEGIN LABEL-----` line, or `malformedPEM` when there is none.
    static func firstLabel(in pem: String) throws(CryptoError) -> String {
        let text = Array(pem.utf8)
        let marker = Array("-----BEGIN ".utf8)
        let dashes = Array("-----".utf8)
        guard let start = find(marker, in: text, from: 0) else {
            throw .malformedPEM("no -----BEGIN line found")
        }
        let labelStart = start + marker.count
        guard let end = find(dashes, in: text, from: labelStart),
            !text[labelStart..<end].contains(UInt8(ascii: "\n"))
        else {
            throw .malformedPEM("unterminated -----BEGIN line")
        }
        return String(decoding: text[labelStart..<end], as: UTF8.self)
    }

    private static func find(_ needle: [UInt8], in text: [UInt8], from offset: Int) -> Int? {
        guard text.count >= needle.count, offset <= text.count - needle.count else { return nil }
        for index in offset...(text.count - needle.count) where text[index..<index + needle.count].elementsEqual(needle)
        {
            return index
        }
        return nil
    }

    /// Runs an OpenSSL PEM reader over `pem`; the caller owns (and frees) the returned `EVP_PKEY`.
    static func decode(
        _ pem: String, label: String, kind: String, read: (OpaquePointer) -> OpaquePointer?
    ) throws(CryptoError) -> OpaquePointer {
        try OpenSSLSupport.withReadBIO(pem) { bio throws(CryptoError) -> OpaquePointer in
            guard let key = read(bio) else {
                let reason = OpenSSLSupport.drainErrors()
                throw .malformedPEM("no \(kind) key could be decoded from the \(label) block (\(reason))")
            }
            return key
        }
    }

    /// Writing PEM to a memory BIO fails only when memory runs out, which we treat as fatal.
    static func mustWrite(_ operation: String, _ write: (OpaquePointer) -> Int32) -> String {
        do {
            return try OpenSSLSupport.writeToString(operation, write)
        } catch {
            fatalError("\(error)")
        }
    }
}
