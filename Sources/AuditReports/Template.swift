import Foundation

/// A value a template can show: text (always HTML-escaped) or a list that a section repeats over.
public enum TemplateValue: Sendable, Hashable {
    case text(String)
    case list([[String: TemplateValue]])

    /// A section shown once when `condition` holds, never otherwise.
    public static func when(_ condition: Bool, _ context: [String: TemplateValue] = [:]) -> TemplateValue {
        .list(condition ? [context] : [])
    }
}

/// The whole template language: `{{name}}` inserts escaped text, `{{#name}}…{{/name}}` repeats over a list.
///
/// Names inside a section see the item's values first, then the enclosing ones. There is no way to insert
/// unescaped text, so no value from a log can ever become markup.
public struct Template: Sendable {
    indirect enum Node: Sendable {
        case literal(String)
        case value(String)
        case section(String, [Node])
    }

    let nodes: [Node]

    public init(_ text: String) throws(ReportError) {
        var parser = Parser(text: Self.joiningStandaloneSectionTags(text))
        nodes = try parser.parse(closing: nil)
    }

    public func render(_ context: [String: TemplateValue]) throws(ReportError) -> String {
        var out = ""
        try Self.render(nodes, scopes: [context], into: &out)
        return out
    }

    private static func render(
        _ nodes: [Node], scopes: [[String: TemplateValue]], into out: inout String
    ) throws(ReportError) {
        func lookup(_ name: String) throws(ReportError) -> TemplateValue {
            for scope in scopes.reversed() {
                if let value = scope[name] { return value }
            }
            throw .template("no value for {{\(name)}}")
        }
        for node in nodes {
            switch node {
            case .literal(let text): out += text
            case .value(let name):
                guard case .text(let text) = try lookup(name) else { throw .template("{{\(name)}} is a list") }
                out += HTML.escape(text)
            case .section(let name, let body):
                guard case .list(let items) = try lookup(name) else {
                    throw .template("{{#\(name)}} is text, not a list")
                }
                for item in items { try render(body, scopes: scopes + [item], into: &out) }
            }
        }
    }

    /// A section tag alone on its line takes the line with it, so repeated rows leave no blank lines behind.
    static func joiningStandaloneSectionTags(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var out = ""
        for (index, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            let isSectionTag =
                trimmed.hasPrefix("{{#") || trimmed.hasPrefix("{{/")
                ? trimmed.hasSuffix("}}") && trimmed.dropFirst(2).firstRange(of: "{{") == nil : false
            if isSectionTag {
                out += trimmed
            } else {
                out += line
                if index < lines.count - 1 { out += "\n" }
            }
        }
        return out
    }

    struct Parser {
        let text: String
        var index: String.Index

        init(text: String) {
            self.text = text
            index = text.startIndex
        }

        mutating func parse(closing: String?) throws(ReportError) -> [Node] {
            var nodes: [Node] = []
            while index < text.endIndex {
                guard let open = text.range(of: "{{", range: index..<text.endIndex) else {
                    nodes.append(.literal(String(text[index...])))
                    index = text.endIndex
                    break
                }
                if open.lowerBound > index { nodes.append(.literal(String(text[index..<open.lowerBound]))) }
                guard let close = text.range(of: "}}", range: open.upperBound..<text.endIndex) else {
                    throw .template(
                        "unclosed {{ at offset \(text.distance(from: text.startIndex, to: open.lowerBound))")
                }
                let tag = text[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
                index = close.upperBound
                if tag.hasPrefix("#") {
                    let name = String(tag.dropFirst())
                    nodes.append(.section(name, try parse(closing: name)))
                } else if tag.hasPrefix("/") {
                    let name = String(tag.dropFirst())
                    guard name == closing else { throw .template("{{/\(name)}} closes nothing open") }
                    return nodes
                } else {
                    guard !tag.isEmpty, tag.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                        throw .template("invalid tag {{\(tag)}}")
                    }
                    nodes.append(.value(tag))
                }
            }
            if let closing { throw .template("{{#\(closing)}} is never closed") }
            return nodes
        }
    }
}

/// HTML text escaping for element content and quoted attribute values.
public enum HTML {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }
}
