import AuditCore
import AuditLog
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A batch's acknowledgements, one line per event, written as bytes and flushed once: a million lines through
/// `print` and `escapingControls` took a tenth of the batch's main thread. A line holds only words, a seq and a
/// hash's hex, so it has nothing to escape; the text is what `say` and `emit` (canonical JSON) would write.
struct AcknowledgementLines {
    let format: OutputFormat
    private var bytes: [UInt8] = []
    /// The errno of the first write that failed: the lines from there on are lost, the events are not.
    private(set) var failure: Int32?

    init(format: OutputFormat) { self.format = format }

    mutating func write(_ result: AppendResult) {
        switch format {
        case .json:
            bytes.append(contentsOf: #"{"hash":""#.utf8)
            result.hash.appendHex(to: &bytes)
            bytes.append(contentsOf: #"","seq":"#.utf8)
            bytes.append(contentsOf: String(result.seq).utf8)
            bytes.append(UInt8(ascii: "}"))
        case .text:
            bytes.append(contentsOf: (result.inserted ? "recorded seq " : "already recorded seq ").utf8)
            bytes.append(contentsOf: String(result.seq).utf8)
            bytes.append(contentsOf: " hash ".utf8)
            result.hash.appendHex(to: &bytes)
        }
        bytes.append(0x0A)
        if bytes.count >= 1 << 16 { writeOut() }
    }

    /// Writes what is buffered, so a reader sees every acknowledged line.
    mutating func flush() { writeOut() }

    /// Throws an I/O failure when a line could not be written: what was appended stays appended (`recorded` says
    /// so), but whoever reads the acknowledgements did not get them all, and a zero status would say they did.
    func checkWritten(recorded: String) throws {
        guard let failure else { return }
        throw PresentedFailure(
            .ioError,
            "standard output: cannot write the acknowledgements (\(String(cString: strerror(failure)))); \(recorded)")
    }

    /// Straight to descriptor 1, after whatever `print` left in the C stream, so lines keep their order.
    private mutating func writeOut() {
        fflush(nil)
        // Standard output is gone (closed, a full disk): the lines are lost, not the log, and the exit status
        // says so.
        if let error = bytes.withUnsafeBytes({ StandardStream.output.write($0) }) { failure = failure ?? error }
        bytes.removeAll(keepingCapacity: true)
    }
}
