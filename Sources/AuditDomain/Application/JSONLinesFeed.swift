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

    /// The whole input as bytes; an empty file (or `/dev/null`) is an empty batch, not an error. Not decoded here:
    /// the parser refuses a line that is not valid UTF-8 by its number, where decoding would put U+FFFD in it.
    func bytes() throws(FeedError) -> [UInt8] {
        switch self {
        case .standardInput: Array(FileHandle.standardInput.readDataToEndOfFile())
        case .file(let path): Array(try Self.read(path))
        }
    }

    /// Lines as they arrive, cut on the `\n` byte only (never U+2028, U+0085, CR, VT or FF), still undecoded:
    /// standard input is read as it comes, so a long-running feed is acknowledged live.
    func lines() throws(FeedError) -> AnySequence<[UInt8]> {
        switch self {
        case .standardInput: return AnySequence { ByteLines(descriptor: 0) }
        case .file:
            let bytes = try bytes()
            return AnySequence(bytes.split(separator: 0x0A, omittingEmptySubsequences: false).lazy.map(Array.init))
        }
    }

    private static func read(_ path: String) throws(FeedError) -> Data {
        // FileHandle reads devices and FIFOs too, which `FileManager.contents(atPath:)` refuses.
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw FeedError(source: path, line: nil, FeedError.ReadProblem.unreadable(errno: errno))
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        do { return try handle.readToEnd() ?? Data() } catch {
            throw FeedError(source: path, line: nil, FeedError.ReadProblem.unreadable(errno: EIO))
        }
    }
}

/// The lines of a file descriptor, cut on `\n` bytes, each returned as soon as its newline (or the end) is read.
struct ByteLines: IteratorProtocol {
    let descriptor: Int32
    private var buffer: [UInt8] = []
    private var ended = false

    init(descriptor: Int32) { self.descriptor = descriptor }

    mutating func next() -> [UInt8]? {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                return line
            }
            if ended {
                guard !buffer.isEmpty else { return nil }
                defer { buffer = [] }
                return buffer
            }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            // A read error ends the input like its end does; what was read so far is still a line.
            if count <= 0 { ended = true } else { buffer += chunk[..<count] }
        }
    }
}

/// A JSON Lines feed that stopped: which source, which line, and the typed reason.
public struct FeedError: AuditFailure, CustomStringConvertible {
    /// Why the input itself could not be read.
    public enum ReadProblem: AuditFailure, Equatable, CustomStringConvertible {
        case unreadable(errno: Int32)
        case notUTF8

        public var description: String {
            switch self {
            case .unreadable(let code) where code == ENOENT: "cannot read it: no such file"
            case .unreadable(let code): "cannot read it: \(String(cString: strerror(code)))"
            case .notUTF8: "is not UTF-8 text"
            }
        }

        public var exitStatus: SysExit {
            switch self {
            case .unreadable(let code) where code == ENOENT || code == ENOTDIR: .notFound
            case .unreadable: .ioError
            case .notUTF8: .invalidInput
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
        if case .notUTF8? = underlying as? ReadProblem { return "\(source) is not UTF-8 text" }
        if let line { return "\(source): line \(line): \(oneLineMessage(underlying))" }
        return "\(source): \(oneLineMessage(underlying))"
    }

    public var exitStatus: SysExit { SysExit.of(underlying) }
}

extension SiteLog {
    /// Appends every line of the source in one transaction, all or nothing; an empty source appends nothing.
    ///
    /// A line that does not parse throws `FeedError`; a refusal of the log or the gate throws `AuditLogError`.
    public func appendBatch(from source: JSONLinesSource, defaultActor: String) throws -> [AppendResult] {
        let bytes = try source.bytes()
        let numbered: [(line: Int, draft: EventDraft)]
        do { numbered = try EventDraft.parseNumberedJSONLines(bytes: bytes, defaultActor: defaultActor) } catch {
            throw FeedError(source: source.description, line: error.line, PresentedFailure(.invalidInput, error.reason))
        }
        guard !numbered.isEmpty else { return [] }
        try Self.refuseClashingIDs(numbered, source: source)
        return try append(numbered.map(\.draft))
    }

    /// One id on two different lines of a batch is the batch's own fault: name both lines, not a seq the
    /// refusal rolls back. The same line twice is a retry inside the batch and stays one event.
    static func refuseClashingIDs(_ numbered: [(line: Int, draft: EventDraft)], source: JSONLinesSource) throws {
        var first: [String: (line: Int, draft: EventDraft)] = [:]
        for (line, draft) in numbered {
            guard let earlier = first[draft.eventID] else {
                first[draft.eventID] = (line, draft)
                continue
            }
            guard earlier.draft == draft else {
                throw FeedError(
                    source: source.description, line: line,
                    PresentedFailure(
                        .invalidInput,
                        "event id \(draft.eventID) appears twice in this batch, lines \(earlier.line) and \(line), "
                            + "with different content"))
            }
        }
    }

    /// Commits each line on its own and acknowledges it once durable; the first bad line stops the feed.
    public func feed(
        from source: JSONLinesSource, defaultActor: String, acknowledge: (AppendResult) -> Void
    ) throws(FeedError) {
        var lineNumber = 0
        for line in try source.lines() {
            lineNumber += 1
            do {
                // A blank line (spaces, tabs, CR) parses to no draft and is skipped.
                let drafts = try EventDraft.parseJSONLines(bytes: line, defaultActor: defaultActor)
                guard !drafts.isEmpty else { continue }
                acknowledge(try append(drafts)[0])
            } catch let error as JSONLinesError {
                throw FeedError(
                    source: source.description, line: lineNumber, PresentedFailure(.invalidInput, error.reason))
            } catch {
                throw FeedError(source: source.description, line: lineNumber, error)
            }
        }
    }
}
