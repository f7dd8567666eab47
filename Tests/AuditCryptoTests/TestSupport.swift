import AuditCrypto
import Foundation
import Subprocess

/// Runs the real `openssl` command line tool and returns how it ended; output is discarded.
@discardableResult
func runOpenSSL(_ arguments: [String]) async throws -> TerminationStatus {
    try await run(.name("openssl"), arguments: Arguments(arguments), output: .discarded, error: .discarded)
        .terminationStatus
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
