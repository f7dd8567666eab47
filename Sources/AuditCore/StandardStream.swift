#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Standard output and error written with write(2), never through `FileHandle`, whose `write` traps when the
/// descriptor is closed or full: `audit verify --db missing 2>&-` died of SIGILL instead of exiting 66.
public enum StandardStream: Int32, Sendable {
    case output = 1
    case error = 2

    /// Writes all of `text` at once (unbuffered, so prompts show before a blocking read); false when the
    /// descriptor refuses it. A refused error line has nowhere else to go: the exit status still tells.
    @discardableResult
    public func write(_ text: String) -> Bool {
        Array(text.utf8).withUnsafeBytes { write($0) } == nil
    }

    /// Writes all of `bytes`; the errno of the write that failed, or nil when everything was written.
    public func write(_ bytes: UnsafeRawBufferPointer) -> Int32? {
        var written = 0
        while written < bytes.count {
            #if canImport(Glibc)
                let count = Glibc.write(rawValue, bytes.baseAddress! + written, bytes.count - written)
            #else
                let count = Darwin.write(rawValue, bytes.baseAddress! + written, bytes.count - written)
            #endif
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return count < 0 ? errno : EIO }
            written += count
        }
        return nil
    }

    /// Puts `/dev/null`, read-only, on each of descriptors 0, 1 and 2 the process was started without, as
    /// SQLite does for its own files: otherwise the next file opened (a report, a key) takes the number, and
    /// what is written to "stderr" lands in it. Writes to a stream reserved this way still fail, as when closed.
    public static func reserveClosedDescriptors() {
        for descriptor: Int32 in 0...2 where fcntl(descriptor, F_GETFD) == -1 && errno == EBADF {
            let opened = open("/dev/null", O_RDONLY)
            // open(2) returns the lowest free number, which is this one: the lower ones are open or reserved.
            if opened >= 0, opened != descriptor {
                _ = dup2(opened, descriptor)
                _ = close(opened)
            }
        }
    }
}
