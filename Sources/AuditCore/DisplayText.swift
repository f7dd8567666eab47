extension Unicode.Scalar {
    /// A scalar that changes how a terminal shows the text around it rather than showing itself: C0 and C1
    /// controls and DEL (`ESC [ 2 J`, CSI), line and paragraph separators, and the bidirectional marks,
    /// embeddings, overrides and isolates that can make a name read as another (U+202E).
    ///
    /// One set for both uses: names refuse these scalars, and every text output escapes them.
    public var isHiddenControl: Bool {
        switch value {
        case 0x00..<0x20, 0x7F...0x9F: true
        case 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// `U+202E`: how a message names a scalar it cannot show.
    public var codePoint: String {
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}

extension String {
    /// The text with every `isHiddenControl` scalar written as an escape (`\n`, `\r`, `\t`, else `\u{1b}`):
    /// what a terminal shows is then exactly what is stored, on one line, and no stored text can drive it.
    public var escapingControls: String {
        guard unicodeScalars.contains(where: \.isHiddenControl) else { return self }
        var out = ""
        out.reserveCapacity(utf8.count + 8)
        for scalar in unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.isHiddenControl: out += "\\u{\(String(scalar.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The first scalar no name may hold, if any: names are shown in terminals and reports, so they hold no
    /// `isHiddenControl` scalar.
    public var firstHiddenControl: Unicode.Scalar? {
        // Printable ASCII, what nearly every name is, needs no scalar decoding.
        guard utf8.contains(where: { $0 < 0x20 || $0 >= 0x7F }) else { return nil }
        return unicodeScalars.first(where: \.isHiddenControl)
    }
}
