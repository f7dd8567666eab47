/// A command line with `{image}`, `{stack}`, `{serial}`, `{version}` placeholders, split into argv once, when
/// parsed, so substituted values are never re-split or interpreted by a shell.
///
/// Syntax: words are separated by spaces; `'…'` keeps text literally, `"…"` groups words (with `\"` and `\\`
/// escapes), `\` outside quotes escapes the next character. Placeholders are recognised outside single quotes;
/// `{{` and `}}` are literal braces. A value with spaces, quotes or `;` stays one argument: no shell ever runs,
/// unless the template itself names one (`sh -c '…'`), and then values are still passed as separate arguments.
public struct CommandTemplate: Sendable, Hashable, CustomStringConvertible {
    public enum Placeholder: String, Sendable, Hashable, CaseIterable {
        case image
        case stack
        case serial
        case version
    }

    enum Part: Sendable, Hashable {
        case literal(String)
        case placeholder(Placeholder)
    }

    /// The template as written, for logs and error messages.
    public let source: String
    let words: [[Part]]

    /// Parses `source`; placeholders outside `allowed` are refused so a version command cannot need an image.
    public init(_ source: String, allowed: Set<Placeholder> = Set(Placeholder.allCases)) throws(TransportError) {
        self.source = source
        var words: [[Part]] = []
        var word: [Part] = []
        var literal = ""
        var inWord = false
        var quote: Character?
        var characters = Array(source)[...]
        func flushLiteral() {
            if !literal.isEmpty { word.append(.literal(literal)) }
            literal = ""
        }
        while let character = characters.popFirst() {
            switch (quote, character) {
            case (nil, " "), (nil, "\t"), (nil, "\n"):
                if inWord {
                    flushLiteral()
                    words.append(word)
                    word = []
                    inWord = false
                }
            case (nil, "'"), (nil, "\""):
                quote = character
                inWord = true
            case ("'", "'"), ("\"", "\""):
                quote = nil
            case (nil, "\\"), ("\"", "\\"):
                guard let next = characters.popFirst() else { throw .invalidTemplate("trailing '\\' in \(source)") }
                literal.append(next)
                inWord = true
            case (nil, "{"), ("\"", "{"):
                inWord = true
                if characters.first == "{" {
                    characters.removeFirst()
                    literal.append("{")
                    continue
                }
                guard let close = characters.firstIndex(of: "}") else {
                    throw .invalidTemplate("unclosed '{' in \(source)")
                }
                let name = String(characters[characters.startIndex..<close])
                characters = characters[(close + 1)...]
                guard let placeholder = Placeholder(rawValue: name) else {
                    throw .invalidTemplate("unknown placeholder {\(name)}; known: {image} {stack} {serial} {version}")
                }
                guard allowed.contains(placeholder) else {
                    throw .invalidTemplate("{\(name)} is not available here")
                }
                flushLiteral()
                word.append(.placeholder(placeholder))
            case (nil, "}"), ("\"", "}"):
                guard characters.first == "}" else { throw .invalidTemplate("lone '}' in \(source); write '}}'") }
                characters.removeFirst()
                literal.append("}")
                inWord = true
            default:
                literal.append(character)
                inWord = true
            }
        }
        guard quote == nil else { throw .invalidTemplate("unclosed quote in \(source)") }
        if inWord {
            flushLiteral()
            words.append(word)
        }
        guard let first = words.first, !first.isEmpty else { throw .invalidTemplate("empty command") }
        guard first.allSatisfy({ if case .literal = $0 { true } else { false } }) else {
            throw .invalidTemplate("the program name cannot be a placeholder")
        }
        self.words = words
    }

    public var description: String { source }

    /// The argv with values substituted; a missing value renders empty.
    public func render(_ values: [Placeholder: String]) -> [String] {
        words.map { word in
            word.map { part in
                switch part {
                case .literal(let text): text
                case .placeholder(let placeholder): values[placeholder] ?? ""
                }
            }.joined()
        }
    }
}
