import AuditDomain
import Foundation

/// Why an answer was refused; one line, shown to the technician before asking again.
public struct AnswerError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}

extension PromptKind {
    /// Parses typed text into the answer this kind expects; the one place where answers are validated.
    public func parse(_ text: String) throws(AnswerError) -> Answer {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let word = trimmed.lowercased()
        switch self {
        case .powerState:
            switch word {
            case "on": return .power(.on)
            case "off": return .power(.off)
            default: throw AnswerError("'\(trimmed)' is not a power state: answer on or off")
            }
        case .dip(_, _, let pinCount):
            do {
                return .dip(try DIPPosition(parsing: trimmed, pins: pinCount))
            } catch {
                throw AnswerError(error.description)
            }
        case .lcdCode:
            return .lcd(try Self.lcdCode(trimmed))
        case .cableState:
            switch word {
            case "plugged", "yes", "y": return .cable(plugged: true)
            case "unplugged", "no", "n": return .cable(plugged: false)
            default: throw AnswerError("'\(trimmed)' is not a cable state: answer plugged or unplugged")
            }
        case .confirmation:
            switch word {
            case "done", "yes", "y", "ok": return .confirmation(done: true)
            case "not-done", "not done", "no", "n", "failed": return .confirmation(done: false)
            default: throw AnswerError("'\(trimmed)' is not a confirmation: answer done or not-done")
            }
        case .question:
            switch word {
            case "yes", "y": return .confirmation(done: true)
            case "no", "n": return .confirmation(done: false)
            default: throw AnswerError("'\(trimmed)' is not an answer to a question: answer yes or no")
            }
        case .pushOutcome:
            if ["failed", "not-done", "not done"].contains(word) { return .confirmation(done: false) }
            return .version(try Self.version(trimmed))
        case .firmwareVersion:
            return .version(try Self.version(trimmed))
        case .note:
            guard !trimmed.isEmpty else { throw AnswerError("empty note") }
            guard trimmed.count <= 500 else { throw AnswerError("note longer than 500 characters") }
            return .note(trimmed)
        }
    }

    /// Checks an answer given as a value (simulator, JSON files): right case, and the value re-validated.
    public func validate(_ answer: Answer) throws(AnswerError) -> Answer {
        switch (self, answer) {
        case (.powerState, .power), (.cableState, .cable), (.confirmation, .confirmation),
            (.question, .confirmation), (.pushOutcome, .confirmation(done: false)):
            return answer
        case (.dip, .dip), (.lcdCode, .lcd), (.firmwareVersion, .version), (.pushOutcome, .version), (.note, .note):
            // The text form round-trips through `parse`, so values get the same checks as typed answers.
            return try parse(answer.description)
        default:
            throw AnswerError("answer '\(answer)' does not fit a \(kindName) prompt")
        }
    }

    var kindName: String {
        switch self {
        case .powerState: "power-state"
        case .dip: "DIP-position"
        case .lcdCode: "LCD-code"
        case .cableState: "cable-state"
        case .confirmation: "confirmation"
        case .firmwareVersion: "firmware-version"
        case .note: "note"
        case .question: "yes-no"
        case .pushOutcome: "push-outcome"
        }
    }

    /// Upper case, single spaces; `ERR19`, `E19` and `ERROR19` all become `ERROR 19` so rules compare one spelling.
    static func lcdCode(_ text: String) throws(AnswerError) -> String {
        let normalised = text.uppercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        if normalised == "BLANK" { return "" }
        guard !normalised.isEmpty else { throw AnswerError("empty LCD code: type what the display shows, or 'blank'") }
        guard normalised.count <= 16 else { throw AnswerError("LCD code longer than 16 characters") }
        for prefix in ["ERROR", "ERR", "E"] where normalised.hasPrefix(prefix) {
            let number = normalised.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
            if !number.isEmpty, number.allSatisfy(\.isASCIIDigit) { return "ERROR \(number)" }
        }
        guard normalised.allSatisfy({ $0.isASCIIDigit || ($0.isASCII && $0.isLetter) || $0 == " " }) else {
            throw AnswerError("LCD code '\(text)' has characters other than letters, digits and spaces")
        }
        return normalised
    }

    static func version(_ text: String) throws(AnswerError) -> String {
        guard !text.isEmpty else { throw AnswerError("empty version") }
        guard text.count <= 32 else { throw AnswerError("version longer than 32 characters") }
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
            throw AnswerError("version '\(text)' may only hold letters, digits, '.', '_' and '-'")
        }
        guard text.contains(where: \.isASCIIDigit) else { throw AnswerError("version '\(text)' has no digit") }
        return text
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
