import COpenSSL

/// An Ed25519 signing key (RFC 8032), kept as its 32-byte seed so the value is `Sendable` and copyable.
///
/// The key never prints itself: `description` shows only the key id.
public struct Ed25519PrivateKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// Length of the raw private key (the RFC 8032 seed).
    public static let rawLength = 32

    /// The RFC 8032 seed; internal so key material only leaves through PEM export.
    let seed: [UInt8]
    public let publicKey: Ed25519PublicKey

    /// Makes a fresh key from OpenSSL's CSPRNG.
    public static func generate() throws(CryptoError) -> Ed25519PrivateKey {
        guard let context = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nil) else {
            throw OpenSSLSupport.failure("EVP_PKEY_CTX_new_id(ED25519)")
        }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_keygen_init(context) == 1 else { throw OpenSSLSupport.failure("EVP_PKEY_keygen_init") }
        var generated: OpaquePointer?
        guard EVP_PKEY_keygen(context, &generated) == 1, let key = generated else {
            throw OpenSSLSupport.failure("EVP_PKEY_keygen")
        }
        defer { EVP_PKEY_free(key) }
        return try Ed25519PrivateKey(evpKey: key)
    }

    /// Rebuilds a key from its raw 32-byte seed.
    public init(rawRepresentation seed: [UInt8]) throws(CryptoError) {
        try Ed25519Raw.requireLength(seed, of: "Ed25519 private key")
        self = try Ed25519Raw.withKey(seed, isPrivate: true) { key throws(CryptoError) in
            try Ed25519PrivateKey(evpKey: key)
        }
    }

    /// Copies the raw private and public halves out of an OpenSSL key, refusing other algorithms.
    init(evpKey key: OpaquePointer) throws(CryptoError) {
        try Ed25519Raw.requireEd25519(key)
        seed = try Ed25519Raw.copy(from: key, isPrivate: true)
        publicKey = try Ed25519PublicKey(evpKey: key)
    }

    /// See ``Ed25519PublicKey/keyID``.
    public var keyID: String { publicKey.keyID }

    /// Signs the exact bytes with pure Ed25519 (no pre-hash); the result is the 64-byte raw signature.
    public func sign(_ bytes: [UInt8]) -> [UInt8] {
        Ed25519Raw.withKey(seed, isPrivate: true) { key in
            guard let context = EVP_MD_CTX_new() else { fatalError("OpenSSL: EVP_MD_CTX_new failed (out of memory)") }
            defer { EVP_MD_CTX_free(context) }
            // Ed25519 hashes internally, so the digest must be NULL (RFC 8032 "pure" mode).
            guard EVP_DigestSignInit(context, nil, nil, nil, key) == 1 else {
                fatalError("OpenSSL: EVP_DigestSignInit(ED25519) failed: \(OpenSSLSupport.drainErrors())")
            }
            var signature = [UInt8](repeating: 0, count: Ed25519PublicKey.signatureLength)
            var length = signature.count
            let status = OpenSSLSupport.withBytes(bytes) { pointer, count in
                EVP_DigestSign(context, &signature, &length, pointer, count)
            }
            guard status == 1, length == Ed25519PublicKey.signatureLength else {
                fatalError("OpenSSL: EVP_DigestSign(ED25519) failed: \(OpenSSLSupport.drainErrors())")
            }
            return signature
        }
    }

    public var description: String { "Ed25519PrivateKey(keyID: \(keyID))" }
    public var debugDescription: String { description }
}

/// An Ed25519 verification key: the raw 32-byte encoding of RFC 8032 §5.1.5.
public struct Ed25519PublicKey: Hashable, Sendable, CustomStringConvertible {
    /// Length of the raw public key.
    public static let rawLength = 32
    /// Length of a raw Ed25519 signature (R || S).
    public static let signatureLength = 64

    public let rawRepresentation: [UInt8]

    public init(rawRepresentation raw: [UInt8]) throws(CryptoError) {
        try Ed25519Raw.requireLength(raw, of: "Ed25519 public key")
        self.rawRepresentation = raw
    }

    init(evpKey key: OpaquePointer) throws(CryptoError) {
        try Ed25519Raw.requireEd25519(key)
        rawRepresentation = try Ed25519Raw.copy(from: key, isPrivate: false)
    }

    /// Key id: lowercase hex of the first 16 bytes of SHA-256 over the raw 32-byte public key (32 hex chars).
    ///
    /// Short enough to print and compare by eye, long enough (128 bits) that two keys never collide by chance.
    public var keyID: String { Hex.encode(SHA256.hash(rawRepresentation).rawBytes.prefix(16)) }

    /// Checks a raw 64-byte Ed25519 signature over the exact message bytes; any malformed input is `false`.
    public func verify(signature: [UInt8], message: [UInt8]) -> Bool {
        guard signature.count == Self.signatureLength else { return false }
        return Ed25519Raw.withKey(rawRepresentation, isPrivate: false) { key in
            guard let context = EVP_MD_CTX_new() else { fatalError("OpenSSL: EVP_MD_CTX_new failed (out of memory)") }
            defer { EVP_MD_CTX_free(context) }
            guard EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1 else {
                _ = OpenSSLSupport.drainErrors()
                return false
            }
            let status = OpenSSLSupport.withBytes(message) { pointer, count in
                EVP_DigestVerify(context, signature, signature.count, pointer, count)
            }
            // A bad signature leaves an error on OpenSSL's thread-local queue; clear it.
            if status != 1 { _ = OpenSSLSupport.drainErrors() }
            return status == 1
        }
    }

    public var description: String { "Ed25519PublicKey(keyID: \(keyID))" }
}

/// Moves raw 32-byte Ed25519 halves in and out of OpenSSL `EVP_PKEY` objects.
enum Ed25519Raw {
    static let length = 32

    static func requireLength(_ raw: [UInt8], of what: String) throws(CryptoError) {
        guard raw.count == length else { throw .invalidLength(what: what, expected: length, actual: raw.count) }
    }

    /// Lends a short-lived OpenSSL key built from length-checked raw bytes; it is freed before returning.
    ///
    /// OpenSSL only fails here when memory runs out (it does not validate the bytes), which is fatal.
    static func withKey<R, E: Error>(
        _ raw: [UInt8], isPrivate: Bool, _ body: (OpaquePointer) throws(E) -> R
    ) throws(E) -> R {
        let made =
            isPrivate
            ? EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, raw, raw.count)
            : EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, raw, raw.count)
        guard let key = made else {
            fatalError("OpenSSL: cannot build an Ed25519 key: \(OpenSSLSupport.drainErrors())")
        }
        defer { EVP_PKEY_free(key) }
        return try body(key)
    }

    /// Copies the raw private seed or public key out of an Ed25519 `EVP_PKEY`.
    static func copy(from key: OpaquePointer, isPrivate: Bool) throws(CryptoError) -> [UInt8] {
        var raw = [UInt8](repeating: 0, count: length)
        var count = raw.count
        let status =
            isPrivate
            ? EVP_PKEY_get_raw_private_key(key, &raw, &count) : EVP_PKEY_get_raw_public_key(key, &raw, &count)
        guard status == 1 else {
            throw OpenSSLSupport.failure(isPrivate ? "EVP_PKEY_get_raw_private_key" : "EVP_PKEY_get_raw_public_key")
        }
        try requireLength(Array(raw[0..<count]), of: isPrivate ? "Ed25519 private key" : "Ed25519 public key")
        return raw
    }

    /// Throws `unsupportedKeyType` naming the algorithm when an OpenSSL key is not Ed25519.
    static func requireEd25519(_ key: OpaquePointer) throws(CryptoError) {
        guard EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 else {
            let name = EVP_PKEY_get0_type_name(key).map { String(cString: $0) } ?? "unknown"
            throw .unsupportedKeyType(name)
        }
    }
}
