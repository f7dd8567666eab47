import Foundation

/// The line Ctrl-C prints, kept where a signal handler can reach it without allocating.
nonisolated(unsafe) private var noticeBytes: UnsafeMutableBufferPointer<UInt8>?

/// Ctrl-C during a run: one line on stderr saying the same command resumes, then exit 130 as a shell expects.
///
/// A plain handler (not SIG_IGN plus a dispatch source), so a flasher started later gets the default disposition
/// back at exec; the handler only calls write(2) and _exit(2), which are safe in a signal handler.
public enum InterruptNotice {
    public static func install(_ line: String) {
        let bytes = Array(("\n" + line + "\n").utf8)
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytes.count)
        _ = buffer.initialize(from: bytes)
        noticeBytes = buffer
        signal(SIGINT) { _ in
            if let buffer = noticeBytes { _ = write(2, buffer.baseAddress, buffer.count) }
            _exit(130)
        }
    }
}
