import COpenSSL

/// SHA-256 through OpenSSL's EVP interface. Reuse one hasher in loops: OpenSSL 3 pays for each context.
public final class SHA256Hasher {
    private let context: OpaquePointer
    /// Fetched once: an implicit fetch on every init costs more than hashing a short event.
    nonisolated(unsafe) private static let algorithm: OpaquePointer = {
        guard let md = EVP_MD_fetch(nil, "SHA256", nil) else { fatalError("OpenSSL: SHA256 is not available") }
        return md
    }()

    public init() {
        guard let context = EVP_MD_CTX_new() else { fatalError("OpenSSL: EVP_MD_CTX_new failed (out of memory)") }
        self.context = context
        reset()
    }

    deinit { EVP_MD_CTX_free(context) }

    public func reset() {
        guard EVP_DigestInit_ex2(context, Self.algorithm, nil) == 1 else {
            fatalError("OpenSSL: EVP_DigestInit_ex(sha256) failed")
        }
    }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    public func hash(_ bytes: [UInt8]) -> Digest {
        update(bytes)
        return finalize()
    }

    /// Writes the digest and resets the hasher for the next message.
    public func finalize() -> Digest {
        var digest = Digest.zero
        withUnsafeMutableBytes(of: &digest.bytes) { out in
            var length: UInt32 = 0
            EVP_DigestFinal_ex(context, out.baseAddress!.assumingMemoryBound(to: UInt8.self), &length)
        }
        reset()
        return digest
    }
}

public enum SHA256 {
    public static func hash(_ bytes: [UInt8]) -> Digest {
        let hasher = SHA256Hasher()
        hasher.update(bytes)
        return hasher.finalize()
    }

    public static func hash(_ string: String) -> Digest {
        hash(Array(string.utf8))
    }
}
