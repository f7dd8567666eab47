import Foundation

/// A JSON Lines batch refused as a whole; `line` is 1-based.
public struct JSONLinesError: Error, Equatable, Sendable, CustomStringConvertible {
    public var line: Int
    public var reason: String

    public var description: String { "line \(line): \(reason)" }
}

extension EventDraft {
    static let jsonLineKeys: Set<String> = ["site", "type", "stack", "data", "observed_at", "actor", "event_id"]

    /// Parses `audit append --jsonl` input; the first bad line fails the whole batch. Blank lines are skipped.
    public static func parseJSONLines(_ text: String, defaultActor: String) throws(JSONLinesError) -> [EventDraft] {
        var drafts: [EventDraft] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces.union(["\r"]))
            guard !trimmed.isEmpty else { continue }
            do {
                drafts.append(try parseJSONLine(trimmed, defaultActor: defaultActor))
            } catch {
                throw JSONLinesError(line: index + 1, reason: error.reason)
            }
        }
        return drafts
    }

    static func parseJSONLine(_ line: String, defaultActor: String) throws(LineProblem) -> EventDraft {
        let value: JSONValue
        do { value = try JSONValue(parsing: line) } catch { throw "malformed JSON: \(error)" }
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
        let draft = EventDraft(
            eventID: eventID ?? UUID(), site: try text("site", required: true)!,
            stack: try text("stack", required: false),
            type: try text("type", required: true)!, data: data, observedAt: observedAt,
            actor: try text("actor", required: false) ?? defaultActor)
        do { try draft.validate() } catch { throw LineProblem(stringLiteral: error.description) }
        return draft
    }
}

/// One line's reason, before the line number is known.
struct LineProblem: Error, ExpressibleByStringInterpolation {
    var reason: String
    init(stringLiteral value: String) { reason = value }
    init(stringInterpolation: DefaultStringInterpolation) { reason = String(stringInterpolation: stringInterpolation) }
}
