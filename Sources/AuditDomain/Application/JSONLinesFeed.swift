import AuditCore
import AuditLog
import Foundation

/// Where `audit append --jsonl` reads: a file, or standard input for `-`.
public enum JSONLinesSource: Sendable, Hashable, CustomStringConvertible {
    case standardInput
    case file(path: String)

    public init(argument: String) { self = argument == "-" ? .standardInput : .file(path: argument) }

    /// How messages name the source.
    public var description: String {
        switch self {
        case .standardInput: "stdin"
        case .file(let path): path
        }
    }

    /// Lines as they arrive, cut on the `\n` byte only (never U+2028, U+0085, CR, VT or FF), still undecoded:
    /// the parser refuses a line that is not valid UTF-8 by its number, where decoding would put U+FFFD in it.
    /// Standard input is read as it comes, so a long-running feed is acknowledged live; an empty file (or
    /// `/dev/null`) has no line.
    func lines() throws(FeedError) -> ByteLines {
        switch self {
        case .standardInput: return ByteLines(descriptor: 0, closing: false)
        case .file(let path):
            // A descriptor reads devices and FIFOs too, which `FileManager.contents(atPath:)` refuses.
            let descriptor = open(path, O_RDONLY)
            guard descriptor >= 0 else {
                throw FeedError(source: path, line: nil, FeedError.ReadProblem.unreadable(errno: errno))
            }
            return ByteLines(descriptor: descriptor, closing: true)
        }
    }
}

/// The lines of a file descriptor, cut on `\n` bytes, each returned as soon as its newline (or the end) is read.
///
/// Our own reader rather than `FileHandle.bytes`: it holds one read chunk plus the line being cut, whatever the
/// input's length, and never moves the rest of the buffer per line.
final class ByteLines: Sequence, IteratorProtocol {
    private let descriptor: Int32
    private let closing: Bool
    private var buffer: [UInt8] = []
    /// Where the unread part of `buffer` starts.
    private var start = 0
    private var ended = false
    /// Set when a read failed: the lines so far were handed out, and the feed must not treat this as the end.
    private(set) var readError: Int32?

    init(descriptor: Int32, closing: Bool) {
        self.descriptor = descriptor
        self.closing = closing
    }

    deinit { if closing { close(descriptor) } }

    func next() -> [UInt8]? {
        var searched = start
        while true {
            if let newline = buffer[searched...].firstIndex(of: 0x0A) {
                let line = Array(buffer[start..<newline])
                start = newline + 1
                return line
            }
            searched = buffer.count
            if ended {
                guard start < buffer.count else { return nil }
                defer { start = buffer.count }
                return Array(buffer[start...])
            }
            if start > 0 {
                buffer.removeSubrange(..<start)
                searched -= start
                start = 0
            }
            let count = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: 65_536))
            let got = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + count, 65_536) }
            buffer.removeLast(65_536 - Swift.max(got, 0))
            if got < 0 {
                if errno == EINTR { continue }
                readError = errno
                ended = true
            } else if got == 0 {
                ended = true
            }
        }
    }
}

/// A JSON Lines feed that stopped: which source, which line, and the typed reason.
public struct FeedError: AuditFailure, CustomStringConvertible {
    /// Why the input itself could not be read.
    public enum ReadProblem: AuditFailure, Equatable, CustomStringConvertible {
        case unreadable(errno: Int32)

        public var description: String {
            switch self {
            case .unreadable(let code) where code == ENOENT: "cannot read it: no such file"
            case .unreadable(let code): "cannot read it: \(String(cString: strerror(code)))"
            }
        }

        public var exitStatus: SysExit {
            switch self {
            case .unreadable(let code) where code == ENOENT || code == ENOTDIR: .notFound
            case .unreadable: .ioError
            }
        }
    }

    public var source: String
    /// The 1-based line, when one line is to blame.
    public var line: Int?
    public var underlying: any Error

    public init(source: String, line: Int?, _ underlying: any Error) {
        self.source = source
        self.line = line
        self.underlying = underlying
    }

    public var description: String {
        if let line { return "\(source): line \(line): \(oneLineMessage(underlying))" }
        return "\(source): \(oneLineMessage(underlying))"
    }

    public var exitStatus: SysExit { SysExit.of(underlying) }
}

extension SiteLog {
    /// How many lines go to the store at once: a batch of any length holds one part and each site's state.
    public static let partSize = 2_048

    /// Appends every line of the source in one transaction, all or nothing, then acknowledges each line's event
    /// in input order; an empty source appends nothing. The input streams: memory holds one part, not the batch.
    ///
    /// A line that does not parse, or that the log or the gate refuses, throws `FeedError` naming the line.
    public func appendBatch(
        from source: JSONLinesSource, defaultActor: String, acknowledge: (AppendResult) -> Void
    ) throws {
        let parts = ParsedParts(
            lines: try source.lines(), source: source, defaultActor: defaultActor, partSize: Self.partSize)
        defer { parts.cancel() }
        var tally = BatchTally()
        try store.appendParts(gate: gate) { append in
            while case .part(let part, let lines) = try parts.next() {
                let results: [AppendResult]
                do { results = try append(part) } catch let refusal as BatchRefusal {
                    throw tally.failure(refusal, part: part, lines: lines, source: source)
                }
                tally.record(results, lines: lines)
                parts.retire(part)
            }
        }
        try tally.acknowledge(from: store, acknowledge)
    }
}

/// The batch's lines, read and parsed into parts on a second thread while the store admits and inserts the part
/// before: parsing was a fifth of a batch append's time, and the other core was idle. At most `depth` parts wait,
/// so memory stays bounded; the parts, and a parse or read failure, arrive in input order, so the first problem
/// of the input is the one reported, as when one thread did both. After `cancel`, a reader blocked in `read(2)` on
/// a pipe stops at its next part or the pipe's end: the process exits first, an in-process caller keeps the
/// thread until then.
final class ParsedParts: @unchecked Sendable {
    enum Item: Sendable {
        case part([EventDraft], lines: [Int])
        case end
    }

    /// Parts parsed ahead of the store: one being inserted, one ready, one being parsed.
    static let depth = 2

    private let condition = NSCondition()
    /// Guarded by `condition`.
    private var items: [Result<Item, FeedError>] = []
    /// Guarded by `condition`: the consumer left (done or failed), so the reader stops at its next part.
    private var cancelled = false
    /// Guarded by `condition`: parts the store is done with, released by the reader's thread. Freeing a part's
    /// drafts (each payload a tree of values) took about a twentieth of the store's thread, which is the one
    /// that bounds a batch.
    private var retired: [[EventDraft]] = []

    init(lines: ByteLines, source: JSONLinesSource, defaultActor: String, partSize: Int) {
        // The reader is handed over whole: this thread never touches it again.
        let handover = Handover(lines)
        let thread = Thread { [self] in
            self.read(handover.value, source: source, defaultActor: defaultActor, partSize: partSize)
        }
        thread.name = "audit.append.parse"
        thread.start()
    }

    /// The next part, or `.end`; throws the input's first problem.
    func next() throws(FeedError) -> Item {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty { condition.wait() }
        let item = items.removeFirst()
        condition.broadcast()
        return try item.get()
    }

    func cancel() {
        condition.lock()
        cancelled = true
        items.removeAll()
        retired.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    /// Hands a part the store is done with to the reader's thread, which frees it at its next part.
    func retire(_ part: [EventDraft]) {
        condition.lock()
        retired.append(part)
        condition.unlock()
    }

    /// Waits for room; false once the consumer has left. The retired parts are taken out under the lock and
    /// freed here, outside it, after the consumer dropped its own reference.
    private func put(_ item: Result<Item, FeedError>) -> Bool {
        var freed: [[EventDraft]] = []
        defer { freed.removeAll() }
        condition.lock()
        defer { condition.unlock() }
        while items.count >= Self.depth, !cancelled { condition.wait() }
        guard !cancelled else { return false }
        items.append(item)
        swap(&freed, &retired)
        condition.broadcast()
        return true
    }

    private func read(_ lines: ByteLines, source: JSONLinesSource, defaultActor: String, partSize: Int) {
        var lineNumber = 0
        var part: [EventDraft] = []
        var partLines: [Int] = []
        part.reserveCapacity(partSize)
        partLines.reserveCapacity(partSize)
        for line in lines {
            lineNumber += 1
            let drafts: [EventDraft]
            do throws(JSONLinesError) {
                drafts = try EventDraft.parseJSONLines(bytes: line, defaultActor: defaultActor)
            } catch {
                let failure = FeedError(
                    source: source.description, line: lineNumber, PresentedFailure(.invalidInput, error.reason))
                _ = put(.failure(failure))
                return
            }
            // A blank line (spaces, tabs, CR) parses to no draft and is skipped.
            guard let draft = drafts.first else { continue }
            part.append(draft)
            partLines.append(lineNumber)
            if part.count == partSize {
                guard put(.success(.part(part, lines: partLines))) else { return }
                part.removeAll(keepingCapacity: true)
                partLines.removeAll(keepingCapacity: true)
            }
        }
        if let code = lines.readError {
            let problem = FeedError.ReadProblem.unreadable(errno: code)
            let failure = FeedError(source: source.description, line: nil, problem)
            _ = put(.failure(failure))
            return
        }
        if !part.isEmpty, !put(.success(.part(part, lines: partLines))) { return }
        _ = put(.success(.end))
    }
}

/// Line numbers in the order they were added, kept as runs of consecutive numbers: a batch's inserted lines are one
/// run between blank lines and retries, so its memory does not grow with its length (a number per line was 4 MB
/// of a 1M-line batch's peak). A run costs 24 bytes: a blank line after every event is the worst case.
package struct LineRuns {
    /// Each run: its first line, its length, and how many lines came before it.
    private var runs: [(first: Int, length: Int, before: Int)] = []
    package private(set) var count = 0

    package init() {}

    package var isEmpty: Bool { count == 0 }

    package mutating func append(_ line: Int) {
        if let last = runs.last, last.first + last.length == line {
            runs[runs.count - 1].length += 1
        } else {
            runs.append((line, 1, count))
        }
        count += 1
    }

    /// The line added `index`-th (from 0); `index` is below `count`.
    package subscript(index: Int) -> Int {
        precondition(index >= 0 && index < count, "line \(index) of \(count)")
        var low = 0
        var high = runs.count - 1
        // The last run that starts at or before `index`.
        while low < high {
            let middle = (low + high + 1) / 2
            if runs[middle].before <= index { low = middle } else { high = middle - 1 }
        }
        return runs[low].first + index - runs[low].before
    }
}

/// A value moved to another thread and no longer used where it was made.
private struct Handover<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// What a streamed batch must remember to acknowledge after commit and to name a line: the line of each event it
/// inserted, as runs of consecutive lines, and the few lines that were retries of events already logged.
struct BatchTally {
    /// The seq of the batch's first inserted event; the rest follow it one by one.
    var firstSeq: Int64?
    var insertedLines = LineRuns()
    /// Lines whose event id was already logged with the same content, in input order, with that event.
    var retries: [(position: Int, result: AppendResult)] = []
    var count = 0

    mutating func record(_ results: [AppendResult], lines: [Int]) {
        for (result, line) in zip(results, lines) {
            if result.inserted {
                if firstSeq == nil { firstSeq = result.seq }
                insertedLines.append(line)
            } else {
                retries.append((count, result))
            }
            count += 1
        }
    }

    /// The refusal as the user reads it: the line, and for an id used twice in this batch, both lines, never a
    /// seq the rollback removes.
    func failure(_ refusal: BatchRefusal, part: [EventDraft], lines: [Int], source: JSONLinesSource) -> FeedError {
        let offset = refusal.offset.flatMap { lines.indices.contains($0) ? $0 : nil }
        let line = offset.map { lines[$0] }
        if case .eventIDConflict(let eventID, let seq) = refusal.error, let offset, let line,
            let earlier = earlierLine(of: eventID, seq: seq, before: offset, part: part, lines: lines)
        {
            return FeedError(
                source: source.description, line: line,
                PresentedFailure(
                    .invalidInput,
                    "event id \(eventID) appears twice in this batch, lines \(earlier) and \(line), "
                        + "with different content"))
        }
        if case .invalidEvent(_, let reason) = refusal.error {
            return FeedError(source: source.description, line: line, PresentedFailure(.invalidInput, "\(reason)"))
        }
        if case .refused(let reason) = refusal.error {
            return FeedError(source: source.description, line: line, reason)
        }
        return FeedError(source: source.description, line: line, refusal.error)
    }

    /// The line of this batch that already holds `eventID` (logged as `seq`): in an earlier part, or earlier in
    /// this one; nil when the event was in the log before the batch.
    func earlierLine(of eventID: String, seq: Int64, before offset: Int, part: [EventDraft], lines: [Int]) -> Int? {
        if let firstSeq, seq >= firstSeq, seq - firstSeq < insertedLines.count {
            return insertedLines[Int(seq - firstSeq)]
        }
        return part[..<offset].firstIndex { $0.eventID == eventID }.map { lines[$0] }
    }

    /// Acknowledges each line's event in input order, reading the inserted ones back from the committed log.
    func acknowledge(from store: any EventStore, _ body: (AppendResult) -> Void) throws {
        var retryIndex = 0
        var position = 0
        func drainRetries() {
            while retryIndex < retries.count, retries[retryIndex].position == position {
                body(retries[retryIndex].result)
                retryIndex += 1
                position += 1
            }
        }
        drainRetries()
        if let firstSeq, !insertedLines.isEmpty {
            let last = firstSeq + Int64(insertedLines.count) - 1
            try store.hashes(from: firstSeq, through: last) { seq, hash in
                body(AppendResult(seq: seq, hash: hash, inserted: true))
                position += 1
                drainRetries()
            }
        }
        drainRetries()
    }
}

extension SiteLog {
    /// Commits each line on its own and acknowledges it once durable; the first bad line stops the feed, and so
    /// does an acknowledgement that throws (its line stays committed).
    public func feed(
        from source: JSONLinesSource, defaultActor: String, acknowledge: (AppendResult) throws -> Void
    ) throws(FeedError) {
        var lineNumber = 0
        let lines = try source.lines()
        for line in lines {
            lineNumber += 1
            do {
                // A blank line (spaces, tabs, CR) parses to no draft and is skipped.
                let drafts = try EventDraft.parseJSONLines(bytes: line, defaultActor: defaultActor)
                guard !drafts.isEmpty else { continue }
                try acknowledge(try append(drafts)[0])
            } catch let error as JSONLinesError {
                throw FeedError(
                    source: source.description, line: lineNumber, PresentedFailure(.invalidInput, error.reason))
            } catch {
                throw FeedError(source: source.description, line: lineNumber, error)
            }
        }
        // What was read before the failure is committed; the failure itself is still the feed's end, said so.
        if let code = lines.readError {
            throw FeedError(source: source.description, line: nil, FeedError.ReadProblem.unreadable(errno: code))
        }
    }
}
