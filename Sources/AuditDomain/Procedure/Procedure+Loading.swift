import Foundation

extension Procedure {
    /// Every procedure compiled into the binary from `procedures/`, by id then version.
    public static let bundled: [Procedure] = {
        do { return try loadBundled() } catch { fatalError("\(error)") }
    }()

    /// Decodes the embedded files; the tests run it so a broken file fails the build, never a site visit.
    public static func loadBundled() throws(DomainError) -> [Procedure] {
        var procedures: [Procedure] = []
        for file in EmbeddedProcedures.files where file.name.hasSuffix(".json") {
            procedures.append(try decode(name: file.name, contents: file.contents))
        }
        return procedures.sorted { ($0.id, $0.version) < ($1.id, $1.version) }
    }

    public static func decode(name: String, contents: String) throws(DomainError) -> Procedure {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let procedure: Procedure
        do { procedure = try decoder.decode(Procedure.self, from: Data(contents.utf8)) } catch {
            throw .invalidProcedure(name: name, reason: "\(error)")
        }
        let ids = procedure.steps.map(\.id)
        if let repeated = ids.first(where: { id in ids.filter { $0 == id }.count > 1 }) {
            throw .invalidProcedure(name: name, reason: "step id '\(repeated)' is used twice")
        }
        if let phase = procedure.phases.first(where: { SitePhase(rawValue: $0.id) == nil }) {
            throw .invalidProcedure(name: name, reason: "unknown phase '\(phase.id)'")
        }
        for table in procedure.addressTables ?? [] {
            try check(table, name: name)
        }
        return procedure
    }

    /// A table must parse, give each address and position once, and name the master (address 1).
    private static func check(_ table: AddressTable, name: String) throws(DomainError) {
        var positions: Set<DIPPosition> = []
        var addresses: Set<Int> = []
        for entry in table.addresses {
            let position: DIPPosition
            do { position = try DIPPosition(parsing: entry.position, pins: table.addrPins) } catch {
                throw .invalidProcedure(name: name, reason: "address table: \(error)")
            }
            guard positions.insert(position).inserted, addresses.insert(entry.address).inserted else {
                throw .invalidProcedure(
                    name: name, reason: "address table: address \(entry.address) or \(entry.position) is given twice")
            }
        }
        guard addresses.contains(1) else {
            throw .invalidProcedure(name: name, reason: "address table for \(table.addrPins) pins has no address 1")
        }
    }

    /// The bundled procedure with this id; the latest version when `version` is nil.
    public static func load(id: String, version: String? = nil) throws(DomainError) -> Procedure {
        let candidates = bundled.filter { $0.id == id && (version == nil || $0.version == version) }
        guard let procedure = candidates.last else { throw .unknownProcedure(id: id, version: version) }
        return procedure
    }

    /// The procedure a `record start` names, or the first bundled one when it names none.
    public static func load(id: String?, version: String?) throws(DomainError) -> Procedure {
        if let id { return try load(id: id, version: version) }
        guard let first = bundled.first else { throw .unknownProcedure(id: "any", version: nil) }
        return try load(id: first.id, version: version)
    }

    /// True when this is the latest bundled version of its id: runs must follow the current document.
    public var isCurrent: Bool { (try? Procedure.load(id: id))?.version == version }
}
