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

    /// The whole input as text; an empty file (or `/dev/null`) is an empty batch, not an error.
    func text() throws(FeedError) -> String {
        let data: Data
        switch self {
        case .standardInput: data = FileHandle.standardInput.readDataToEndOfFile()
        case .file(let path): data = try Self.read(path)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw FeedError(source: description, line: nil, FeedError.ReadProblem.notUTF8)
        }
        return text
    }

    /// Lines as they arrive: standard input is read one line at a time, so a long-running feed is acknowledged live.
    func lines() throws(FeedError) -> AnySequence<String> {
        switch self {
        case .standardInput: return AnySequence { AnyIterator { readLine(strippingNewline: true) } }
        case .file:
            // isNewline also splits "\r\n", which Swift treats as one Character.
            let lines = try text().split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            return AnySequence(lines.lazy.map(String.init))
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
        let text = try source.text()
        let drafts: [EventDraft]
        do { drafts = try EventDraft.parseJSONLines(text, defaultActor: defaultActor) } catch {
            throw FeedError(source: source.description, line: error.line, PresentedFailure(.invalidInput, error.reason))
        }
        guard !drafts.isEmpty else { return [] }
        return try append(drafts)
    }

    /// Commits each line on its own and acknowledges it once durable; the first bad line stops the feed.
    public func feed(
        from source: JSONLinesSource, defaultActor: String, acknowledge: (AppendResult) -> Void
    ) throws(FeedError) {
        var lineNumber = 0
        for line in try source.lines() {
            lineNumber += 1
            guard !line.allSatisfy(\.isWhitespace) else { continue }
            do {
                let drafts = try EventDraft.parseJSONLines(line, defaultActor: defaultActor)
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
