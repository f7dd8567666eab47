import COpenSSL

/// PEM forms `openssl pkey` reads and writes: PKCS#8 "PRIVATE KEY" and SubjectPublicKeyInfo "PUBLIC KEY".
extension Ed25519PrivateKey {
    /// Decodes an unencrypted PKCS#8 PEM; refuses encrypted keys and other algorithms with a typed error.
    public init(pemRepresentation pem: String) throws(CryptoError) {
        let label = try PEMText.firstLabel(in: pem)
        if label == "ENCRYPTED PRIVATE KEY" { throw .encryptedKeyUnsupported }
        let key = try OpenSSLSupport.withReadBIO(pem) { bio throws(CryptoError) -> OpaquePointer in
            // The callback refuses every password request, so OpenSSL never prompts on a terminal.
            guard let key = PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in -1 }, nil) else {
                let reason = OpenSSLSupport.drainErrors()
                throw .malformedPEM("no private key could be decoded from the \(label) block (\(reason))")
            }
            return key
        }
        defer { EVP_PKEY_free(key) }
        try self.init(evpKey: key)
    }

    /// PKCS#8 "PRIVATE KEY" PEM, as `openssl genpkey -algorithm ed25519` writes it.
    public var pemRepresentation: String {
        withEVPKey { key in
            PEMText.mustWrite("PEM_write_bio_PrivateKey") { bio in
                PEM_write_bio_PrivateKey(bio, key, nil, nil, 0, nil, nil)
            }
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
        let key = try OpenSSLSupport.withReadBIO(pem) { bio throws(CryptoError) -> OpaquePointer in
            guard let key = PEM_read_bio_PUBKEY(bio, nil, { _, _, _, _ in -1 }, nil) else {
                let reason = OpenSSLSupport.drainErrors()
                throw .malformedPEM("no public key could be decoded from the PUBLIC KEY block (\(reason))")
            }
            return key
        }
        defer { EVP_PKEY_free(key) }
        try self.init(evpKey: key)
    }

    /// SubjectPublicKeyInfo "PUBLIC KEY" PEM, the form `openssl pkeyutl -pubin` reads.
    public var pemRepresentation: String {
        do {
            return try withEVPKey { key throws(CryptoError) -> String in
                PEMText.mustWrite("PEM_write_bio_PUBKEY") { bio in PEM_write_bio_PUBKEY(bio, key) }
            }
        } catch {
            fatalError("\(error)")
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

    /// Writing PEM to a memory BIO fails only when memory runs out, which we treat as fatal.
    static func mustWrite(_ operation: String, _ write: (OpaquePointer) -> Int32) -> String {
        do {
            return try OpenSSLSupport.writeToString(operation, write)
        } catch {
            fatalError("\(error)")
        }
    }
}
