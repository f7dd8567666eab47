import COpenSSL

/// Small helpers shared by the EVP-based code, so every failure leaves OpenSSL's error queue empty.
enum OpenSSLSupport {
    /// Pops every queued OpenSSL error and returns the most recent reason, for one-line messages.
    static func drainErrors() -> String {
        var last = "no reason given"
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            if let reason = ERR_reason_error_string(code) {
                last = String(cString: reason)
            }
        }
        return last
    }

    static func failure(_ operation: String) -> CryptoError {
        .openSSL(operation: operation, reason: drainErrors())
    }

    /// Runs `body` with a read-only memory BIO over `text`; the BIO never outlives the call.
    static func withReadBIO<R>(_ text: String, _ body: (OpaquePointer) throws(CryptoError) -> R) throws(CryptoError)
        -> R
    {
        var bytes = Array(text.utf8)
        bytes.append(0)
        return try bytes.withUnsafeBufferPointer { buffer throws(CryptoError) -> R in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count - 1)) else {
                throw failure("BIO_new_mem_buf")
            }
            defer { BIO_free(bio) }
            return try body(bio)
        }
    }

    /// Runs `write` against a memory BIO and returns what it wrote as text (PEM is ASCII).
    static func writeToString(
        _ operation: String, _ write: (OpaquePointer) -> Int32
    ) throws(CryptoError) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw failure("BIO_new") }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { throw failure(operation) }
        var out = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { BIO_read(bio, $0.baseAddress, Int32($0.count)) }
            if count <= 0 { break }
            out.append(contentsOf: chunk[0..<Int(count)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Passes `bytes` to C with a valid pointer even when empty; OpenSSL rejects NULL for some inputs.
    static func withBytes<R>(_ bytes: [UInt8], _ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
        if bytes.isEmpty {
            var dummy: UInt8 = 0
            return withUnsafePointer(to: &dummy) { body($0, 0) }
        }
        return bytes.withUnsafeBufferPointer { body($0.baseAddress!, $0.count) }
    }
}
