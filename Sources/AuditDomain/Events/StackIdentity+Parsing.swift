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
            guard isValidID(id) else {
                throw .invalidStackList(String(entry), "stack id '\(id)' holds a control character")
            }
            guard !serial.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw .invalidStackList(String(entry), "the serial holds a control character")
            }
            guard !stacks.contains(where: { $0.id == id }) else {
                throw .invalidStackList(String(entry), "stack id '\(id)' is listed twice")
            }
            stacks.append(StackIdentity(id: id, serial: serial, order: index + 1))
        }
        return stacks
    }

    /// A stack id is what a stack list and a port (`S1:A`) can carry: not empty, no `:` or `,`, no space at either
    /// end and no control character. `.` and `-` are allowed (serial-like ids such as `B-1.2` exist on site).
    public static func isValidID(_ id: String) -> Bool {
        guard let first = id.unicodeScalars.first, let last = id.unicodeScalars.last, first != " ", last != " " else {
            return false
        }
        return !id.unicodeScalars.contains { $0 == ":" || $0 == "," || $0.properties.generalCategory == .control }
    }
}
