import AuditCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Every failure of the signing and key-file code, typed so callers can react and tests can compare.
///
/// Messages are one line and never contain key material.
public enum CryptoError: AuditFailure, Equatable, CustomStringConvertible {
    /// A raw key or signature did not have the length its algorithm fixes.
    case invalidLength(what: String, expected: Int, actual: Int)
    /// The text is not a PEM block of the expected kind, or OpenSSL could not decode it.
    case malformedPEM(String)
    /// The PEM holds a password-protected key; the tools expect a plain PKCS#8 key on a 0600 file.
    case encryptedKeyUnsupported
    /// The key decodes but is not Ed25519 (for example RSA or EC).
    case unsupportedKeyType(String)
    /// Writing would replace an existing key file; an old key must never be lost by accident.
    case keyFileExists(path: String)
    /// The private key file grants group or others any access, so it may already have leaked.
    case insecureKeyFileMode(path: String, mode: UInt32)
    /// The path exists but is not a regular file (a directory, device or socket).
    case notARegularFile(path: String)
    /// A system call on a key file or directory failed with `errno`.
    case fileSystem(operation: String, path: String, errno: Int32)
    /// An index or size lies outside the Merkle tree it refers to.
    case merkleRange(String)
    /// OpenSSL failed where it should not (out of memory, broken installation).
    case openSSL(operation: String, reason: String)

    public var description: String {
        switch self {
        case .invalidLength(let what, let expected, let actual):
            "\(what) must be \(expected) bytes, got \(actual)"
        case .malformedPEM(let detail):
            "malformed PEM: \(detail)"
        case .encryptedKeyUnsupported:
            "the private key is encrypted (ENCRYPTED PRIVATE KEY); an unencrypted PKCS#8 Ed25519 key is required"
        case .unsupportedKeyType(let type):
            "unsupported key type \(type): an Ed25519 key is required"
        case .keyFileExists(let path):
            "refusing to overwrite existing key file \(path)"
        case .insecureKeyFileMode(let path, let mode):
            "private key file \(path) has mode \(Self.octal(mode)), which lets group or others access it; run: chmod 600 \(path)"
        case .notARegularFile(let path):
            "\(path) is not a regular file"
        case .fileSystem(let operation, let path, let code):
            "\(operation) \(path) failed: \(Self.errnoText(code)) (errno \(code))"
        case .merkleRange(let detail):
            "Merkle tree: \(detail)"
        case .openSSL(let operation, let reason):
            "OpenSSL \(operation) failed: \(reason)"
        }
    }

    public var exitStatus: SysExit {
        switch self {
        case .invalidLength, .malformedPEM, .encryptedKeyUnsupported, .unsupportedKeyType, .insecureKeyFileMode,
            .notARegularFile:
            .invalidInput
        case .keyFileExists: .refusingToOverwrite
        case .fileSystem(_, _, let code) where code == ENOENT || code == ENOTDIR: .notFound
        case .fileSystem(_, _, let code) where code == EEXIST: .refusingToOverwrite
        case .fileSystem: .ioError
        case .merkleRange, .openSSL: .internalError
        }
    }

    /// Permission bits as `chmod` spells them, e.g. `0644`.
    static func octal(_ mode: UInt32) -> String {
        let digits = String(mode & 0o7777, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private static func errnoText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "unknown error" }
        return String(cString: text)
    }
}
