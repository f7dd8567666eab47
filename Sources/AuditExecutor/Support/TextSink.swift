import AuditCore
import Foundation

/// Where human-facing text goes, injected so prompts and progress can be captured in tests.
public protocol TextSink: Sendable {
    func write(_ text: String)
}

/// Writes to standard error, unbuffered, so prompts show before a blocking read.
public struct StandardErrorSink: TextSink {
    public init() {}

    public func write(_ text: String) {
        StandardStream.error.write(text)
    }
}

/// Collects text in memory, for tests.
public final class BufferSink: TextSink, @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = ""

    public init() {}

    public func write(_ text: String) { lock.withLock { buffer += text } }

    public var text: String { lock.withLock { buffer } }
}

/// Writes to standard output unbuffered, so instructions, progress and prompts appear in the order written.
public struct StandardOutputSink: TextSink {
    public init() {}

    public func write(_ text: String) {
        StandardStream.output.write(text)
    }
}

/// Drops everything, for runs whose step-by-step narration nobody reads (the demo without --verbose).
public struct NullSink: TextSink {
    public init() {}

    public func write(_ text: String) {}
}
