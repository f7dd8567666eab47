import AuditCore
import Foundation

/// A JSON Lines batch refused as a whole; `line` is 1-based.
public struct JSONLinesError: AuditFailure, Equatable, CustomStringConvertible {
    public var exitStatus: SysExit { .invalidInput }

    public var line: Int
    public var reason: String

    public var description: String { "line \(line): \(reason)" }
}

extension EventDraft {
    static let jsonLineKeys: Set<String> = ["site", "type", "stack", "data", "observed_at", "actor", "event_id"]

    /// Parses `audit append --jsonl` input; the first bad line fails the whole batch. Blank lines are skipped.
    public static func parseJSONLines(_ text: String, defaultActor: String) throws(JSONLinesError) -> [EventDraft] {
        try parseJSONLines(bytes: Array(text.utf8), defaultActor: defaultActor)
    }

    /// Parses JSON Lines as read from a file or stdin, refusing a line that is not valid UTF-8 (FORMAT.md §1):
    /// decoding it to a String first would store U+FFFD in its place.
    public static func parseJSONLines(bytes: [UInt8], defaultActor: String) throws(JSONLinesError) -> [EventDraft] {
        try parseNumberedJSONLines(bytes: bytes, defaultActor: defaultActor).map(\.draft)
    }

    /// Like `parseJSONLines(bytes:defaultActor:)`, keeping each draft's 1-based line so later errors can name it.
    static func parseNumberedJSONLines(
        bytes: [UInt8], defaultActor: String
    ) throws(JSONLinesError) -> [(line: Int, draft: EventDraft)] {
        var drafts: [(line: Int, draft: EventDraft)] = []
        // Lines are cut on bytes: the input may hold a million lines.
        var lineNumber = 0
        var start = 0
        while start <= bytes.count {
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            lineNumber += 1
            var low = start
            var high = end
            while low < high, [0x20, 0x09, 0x0D].contains(bytes[low]) { low += 1 }
            while high > low, [0x20, 0x09, 0x0D].contains(bytes[high - 1]) { high -= 1 }
            if low < high {
                guard String(validating: bytes[low..<high], as: UTF8.self) != nil else {
                    throw JSONLinesError(line: lineNumber, reason: "the line is not valid UTF-8")
                }
                do {
                    drafts.append((lineNumber, try parseJSONLine(Array(bytes[low..<high]), defaultActor: defaultActor)))
                } catch {
                    throw JSONLinesError(line: lineNumber, reason: error.reason)
                }
            }
            start = end + 1
        }
        return drafts
    }

    static func parseJSONLine(_ line: [UInt8], defaultActor: String) throws(LineProblem) -> EventDraft {
        let value: JSONValue
        do {
            // Depth counts from `data`, as for `append --data`: the line's own object is not a level of it.
            var parser = JSONParser(bytes: line, enclosingLevels: 1)
            value = try parser.parseDocument()
        } catch { throw "malformed JSON: \(error)" }
        guard case .object(let object) = value else { throw "expected a JSON object" }
        if let unknown = Set(object.keys).subtracting(jsonLineKeys).sorted().first {
            throw "unknown key \"\(unknown)\" (allowed: \(jsonLineKeys.sorted().joined(separator: ", ")))"
        }
        func text(_ key: String, required: Bool) throws(LineProblem) -> String? {
            switch object[key] {
            case .string(let value): return value
            case nil, .null?:
                if required { throw "missing \"\(key)\"" }
                return nil
            default: throw "\"\(key)\" must be a string"
            }
        }
        let observedAt = try text("observed_at", required: false).map { (text) throws(LineProblem) -> Timestamp in
            guard let time = Timestamp(rfc3339: text) else { throw "observed_at '\(text)' is not an RFC 3339 time" }
            return time
        }
        let eventID = try text("event_id", required: false).map { (text) throws(LineProblem) -> UUID in
            guard let uuid = UUID(uuidString: text) else { throw "event_id '\(text)' is not a UUID" }
            return uuid
        }
        let data = object["data"] ?? [:]
        guard case .object = data else { throw "\"data\" must be a JSON object" }
        var draft = EventDraft(
            eventID: eventID ?? .version7(), site: try text("site", required: true)!,
            stack: try text("stack", required: false),
            type: try text("type", required: true)!, data: data, observedAt: observedAt,
            actor: try text("actor", required: false) ?? defaultActor)
        do { try draft.prepare() } catch { throw LineProblem(stringLiteral: error.description) }
        return draft
    }
}

/// One line's reason, before the line number is known.
struct LineProblem: Error, ExpressibleByStringInterpolation {
    var reason: String
    init(stringLiteral value: String) { reason = value }
    init(stringInterpolation: DefaultStringInterpolation) { reason = String(stringInterpolation: stringInterpolation) }
}
