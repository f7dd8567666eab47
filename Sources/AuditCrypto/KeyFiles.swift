import Foundation

/// The signing key pair on disk: `signing-key.pem` (0600, PKCS#8) and `signing-key.pub.pem` (0644, SPKI).
public enum KeyFiles {
    public static let privateKeyFileName = "signing-key.pem"
    public static let publicKeyFileName = "signing-key.pub.pem"

    /// Private key files larger than this are not keys; refusing them bounds what we read.
    static let maximumFileSize = 64 * 1024

    /// Writes both PEM files into `directory` (created 0700 if missing); never replaces an existing key.
    ///
    /// The private file is created by `open(2)` with `O_CREAT|O_EXCL` and mode 0600, so it is never
    /// readable by others, not even between creation and the first write. Returns both URLs for messages.
    @discardableResult
    public static func write(privateKey: Ed25519PrivateKey, to directory: URL) throws(CryptoError) -> (
        privateKey: URL, publicKey: URL
    ) {
        try makeDirectory(directory)
        let privateURL = directory.appendingPathComponent(privateKeyFileName)
        let publicURL = directory.appendingPathComponent(publicKeyFileName)
        let privatePath = privateURL.path
        let publicPath = publicURL.path
        // Check the public file first so a refusal leaves nothing half-written behind.
        if access(publicPath, F_OK) == 0 { throw .keyFileExists(path: publicPath) }
        if access(privatePath, F_OK) == 0 { throw .keyFileExists(path: privatePath) }
        // Both are written whole under hidden names first, then published by link(2), which never replaces a
        // file: a kill leaves no key, or the private key alone (which `completePair` finishes), never half a file.
        let tag = ".partial-\(UInt64.random(in: 0...UInt64.max))"
        let stagedPrivate = directory.appendingPathComponent("." + privateKeyFileName + tag).path
        let stagedPublic = directory.appendingPathComponent("." + publicKeyFileName + tag).path
        defer {
            unlink(stagedPrivate)
            unlink(stagedPublic)
        }
        try createExclusive(path: stagedPrivate, mode: 0o600, contents: Array(privateKey.pemRepresentation.utf8))
        try createExclusive(
            path: stagedPublic, mode: 0o644, contents: Array(privateKey.publicKey.pemRepresentation.utf8))
        try publish(stagedPrivate, as: privatePath)
        do throws(CryptoError) { try publish(stagedPublic, as: publicPath) } catch {
            unlink(privatePath)
            throw error
        }
        syncDirectory(directory.path)
        return (privateURL, publicURL)
    }

    /// Finishes a key pair whose public half is missing (a `keygen` killed between its two publications):
    /// the public key is derived from the private one. Returns nil when there is nothing to finish.
    public static func completePair(in directory: URL) throws(CryptoError) -> Ed25519PrivateKey? {
        let privateURL = directory.appendingPathComponent(privateKeyFileName)
        let publicPath = directory.appendingPathComponent(publicKeyFileName).path
        guard access(privateURL.path, F_OK) == 0, access(publicPath, F_OK) != 0 else { return nil }
        let key = try loadPrivateKey(at: privateURL)
        let staged = directory.appendingPathComponent("." + publicKeyFileName + ".partial-completing").path
        unlink(staged)
        defer { unlink(staged) }
        try createExclusive(path: staged, mode: 0o644, contents: Array(key.publicKey.pemRepresentation.utf8))
        try publish(staged, as: publicPath)
        syncDirectory(directory.path)
        return key
    }

    /// Gives a staged file its real name; an existing name is never replaced.
    private static func publish(_ staged: String, as path: String) throws(CryptoError) {
        guard link(staged, path) == 0 else {
            let code = errno
            if code == EEXIST { throw .keyFileExists(path: path) }
            throw .fileSystem(operation: "link", path: path, errno: code)
        }
    }

    /// Makes new directory entries durable too, so a crash cannot lose a key already used to sign.
    private static func syncDirectory(_ path: String) {
        let directoryDescriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    /// Loads `signing-key.pem`, refusing it unless only its owner can read it.
    public static func loadPrivateKey(at url: URL) throws(CryptoError) -> Ed25519PrivateKey {
        let path = url.path
        let text = try readSmallFile(path: path) { status throws(CryptoError) in
            let mode = UInt32(status.st_mode) & 0o7777
            guard mode & 0o077 == 0 else { throw .insecureKeyFileMode(path: path, mode: mode) }
        }
        do throws(CryptoError) {
            return try Ed25519PrivateKey(pemRepresentation: text)
        } catch .malformedPEM(let detail) {
            throw .malformedPEM("\(path): \(detail)")
        }
    }

    /// Loads a "PUBLIC KEY" PEM file; public keys need no mode check.
    public static func loadPublicKey(at url: URL) throws(CryptoError) -> Ed25519PublicKey {
        let text = try readSmallFile(path: url.path) { _ throws(CryptoError) in }
        do throws(CryptoError) {
            return try Ed25519PublicKey(pemRepresentation: text)
        } catch .malformedPEM(let detail) {
            throw .malformedPEM("\(url.path): \(detail)")
        }
    }

    /// Creates `directory` with mode 0700 when missing (parents with default modes); an existing one is kept.
    static func makeDirectory(_ directory: URL) throws(CryptoError) {
        let path = directory.path
        var status = stat()
        if stat(path, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFDIR else {
                throw .fileSystem(operation: "mkdir", path: path, errno: ENOTDIR)
            }
            return
        }
        let parent = directory.deletingLastPathComponent()
        if parent.path != path, stat(parent.path, &status) != 0 {
            try makeDirectory(parent)
        }
        guard mkdir(path, 0o700) == 0 || errno == EEXIST else {
            throw .fileSystem(operation: "mkdir", path: path, errno: errno)
        }
    }

    /// Creates a new file with exactly `mode` and writes `contents`; removes it again if writing fails.
    static func createExclusive(path: String, mode: mode_t, contents: [UInt8]) throws(CryptoError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            let code = errno
            if code == EEXIST { throw .keyFileExists(path: path) }
            throw .fileSystem(operation: "create", path: path, errno: code)
        }
        do throws(CryptoError) {
            // The umask can only have removed bits; fchmod before any byte is written sets the exact mode.
            guard fchmod(descriptor, mode) == 0 else {
                throw CryptoError.fileSystem(operation: "fchmod", path: path, errno: errno)
            }
            try writeAll(descriptor, contents, path: path)
            guard fsync(descriptor) == 0 else {
                throw CryptoError.fileSystem(operation: "fsync", path: path, errno: errno)
            }
        } catch {
            close(descriptor)
            unlink(path)
            throw error
        }
        guard close(descriptor) == 0 else {
            let code = errno
            unlink(path)
            throw .fileSystem(operation: "close", path: path, errno: code)
        }
    }

    private static func writeAll(_ descriptor: Int32, _ contents: [UInt8], path: String) throws(CryptoError) {
        var offset = 0
        while offset < contents.count {
            let written = contents[offset...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw .fileSystem(operation: "write", path: path, errno: errno)
            }
            offset += written
        }
    }

    /// Opens the file, checks the open descriptor's own `stat` (no race with a swapped path), then reads it.
    private static func readSmallFile(
        path: String, check: (stat) throws(CryptoError) -> Void
    ) throws(CryptoError) -> String {
        // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below as not a regular file.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw .fileSystem(operation: "open", path: path, errno: errno) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .fileSystem(operation: "stat", path: path, errno: errno) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw .notARegularFile(path: path) }
        try check(status)
        guard Int(status.st_size) <= maximumFileSize else {
            throw .malformedPEM("\(path) is \(status.st_size) bytes, too large to be a key file")
        }
        var contents = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while contents.count <= maximumFileSize {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .fileSystem(operation: "read", path: path, errno: errno)
            }
            if count == 0 { break }
            contents.append(contentsOf: chunk[0..<count])
        }
        guard let text = String(validating: contents, as: UTF8.self) else {
            throw .malformedPEM("\(path) is not text")
        }
        return text
    }
}
