import AuditCrypto
import Foundation

/// A fresh directory under the system temp dir, removed when the test's closure returns.
func withTemporaryDirectory<R>(_ body: (URL) throws -> R) throws -> R {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("audit-crypto-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
}

/// Runs the real `openssl` command line tool and returns its exit status; output is discarded.
@discardableResult
func runOpenSSL(_ arguments: [String]) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["openssl"] + arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}

/// Permission bits of a file as `ls -l` would show them.
func permissionBits(_ url: URL) -> UInt32 {
    var status = stat()
    guard stat(url.path, &status) == 0 else { return 0o7777_7777 }
    return UInt32(status.st_mode) & 0o7777
}

func hexBytes(_ text: String) -> [UInt8] {
    guard let bytes = Hex.decode(text) else { fatalError("bad hex in test: \(text)") }
    return bytes
}
