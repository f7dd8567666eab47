import AuditCore

extension StackIdentity {
    /// The one stack-list parser (`audit record site`, `audit run --stacks`, the run's `note:stacks` prompt):
    /// `S1:SERIAL1,S2:SERIAL2`, master first, into stacks in chain order.
    ///
    /// Each entry is `ID:SERIAL` split at its first `:`, with spaces around the id and the serial ignored; an empty
    /// entry, an id listed twice or an id outside `isValidID` is refused. A serial may hold any printable text
    /// but a comma, `:` included.
    public static func list(parsing text: String) throws(DomainError) -> [StackIdentity] {
        var stacks: [StackIdentity] = []
        for (index, entry) in text.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            guard let colon = entry.firstIndex(of: ":") else { throw .invalidStackList(String(entry), "not ID:SERIAL") }
            let id = entry[..<colon].trimmingSpaces
            let serial = entry[entry.index(after: colon)...].trimmingSpaces
            guard !id.isEmpty, !serial.isEmpty else { throw .invalidStackList(String(entry), "not ID:SERIAL") }
            // What registration accepts must be recordable later: an id is the `stack` of every event about it.
            if let problem = idProblem(id) {
                throw .invalidStackList(String(entry), "stack id '\(id)' \(problem)")
            }
            if let scalar = serial.firstHiddenControl {
                throw .invalidStackList(String(entry), "the serial holds \(scalar.codePoint), \(Self.hiddenControl)")
            }
            guard !stacks.contains(where: { $0.id == id }) else {
                throw .invalidStackList(String(entry), "stack id '\(id)' is listed twice")
            }
            stacks.append(StackIdentity(id: id, serial: serial, order: index + 1))
        }
        return stacks
    }

    /// A stack id is what a stack list and a port (`S1:A`) can carry: not empty, no `:` or `,`, no space at either
    /// end, no control character or bidirectional mark, at most 256 bytes. `.` and `-` are allowed (serial-like ids
    /// such as `B-1.2` exist on site).
    public static func isValidID(_ id: String) -> Bool { idProblem(id) == nil }

    /// Why `id` cannot be a stack id, or nil: the rules of an event's `stack` (`EventDraft.validate`), and more.
    static func idProblem(_ id: String) -> String? {
        guard let first = id.unicodeScalars.first, let last = id.unicodeScalars.last else { return "is empty" }
        guard first != " ", last != " " else { return "starts or ends with a space" }
        guard id.utf8.count <= 256 else { return "is longer than 256 bytes" }
        if let scalar = id.firstHiddenControl { return "holds \(scalar.codePoint), \(hiddenControl)" }
        guard !id.unicodeScalars.contains(where: { $0 == ":" || $0 == "," }) else { return "holds ':' or ','" }
        return nil
    }

    static let hiddenControl = "a control character or bidirectional mark"
}
