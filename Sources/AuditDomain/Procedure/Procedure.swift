/// A vendor procedure as versioned data: the executor walks its steps, the rules check the run against it.
public struct Procedure: Codable, Sendable, Hashable {
    public var id: String
    /// The vendor document's modification date, `YYYY-MM-DD`; later versions sort later.
    public var version: String
    public var title: String
    public var source: Source
    public var phases: [Phase]
    /// How the device reads its ADDR Set, one table per pin count: the address of each position is data
    /// about the model, so a rule never hard-codes more than "address 1 is the master".
    public var addressTables: [AddressTable]?

    /// The vendor document this file transcribes.
    public struct Source: Codable, Sendable, Hashable {
        public var title: String
        public var modified: String
        public var modifiedText: String
    }

    public struct Phase: Codable, Sendable, Hashable {
        /// One of `SitePhase`'s raw values.
        public var id: String
        public var title: String
        public var steps: [Step]
    }

    public struct Step: Codable, Sendable, Hashable {
        /// Dotted and stable, e.g. `isolate.power-off`: `step.completed` events carry it.
        public var id: String
        public var title: String
        /// What the technician does, in the vendor's plain words.
        public var instruction: String
        public var expects: [Expectation]
    }

    /// ADDR positions to bus addresses for a bank of `pins` pins; address 1 is the master.
    public struct AddressTable: Codable, Sendable, Hashable {
        public var addrPins: Int
        /// Where the table comes from, for a reader of the file.
        public var note: String?
        public var addresses: [Entry]

        public struct Entry: Codable, Sendable, Hashable {
            public var address: Int
            /// `U`/`D`, pin 1 first.
            public var position: String
        }

        /// The address a position sets, nil for a position the device does not accept as an address.
        public func address(of position: DIPPosition) -> Int? {
            addresses.first { (try? DIPPosition(parsing: $0.position, pins: addrPins)) == position }?.address
        }

        /// The position of address 1.
        public var master: String? { addresses.first { $0.address == 1 }?.position }
    }

    /// The address table for an ADDR bank of this many pins, nil when the file has none.
    public func addressTable(pins: Int) -> AddressTable? {
        addressTables?.first { $0.addrPins == pins }
    }

    /// Every step in the order the technician performs them.
    public var steps: [Step] { phases.flatMap(\.steps) }

    /// The phase a step belongs to, nil for a step this procedure does not have.
    public func phase(ofStep id: String) -> Phase? {
        phases.first { $0.steps.contains { $0.id == id } }
    }
}

/// An observation a step expects, machine-readable so the executor can prompt for it and check it.
public struct Expectation: Codable, Sendable, Hashable {
    /// The event type expected, e.g. `dip.observed`.
    public var type: String
    /// Expected once per stack on site.
    public var eachStack: Bool?
    /// A role rather than an id: `master`.
    public var stack: String?
    /// `power.observed` on/off, `cable.observed` plugged/unplugged.
    public var state: String?
    /// `addr` or `inv` for `dip.observed`.
    public var bank: String?
    /// A literal like `UDDDDD`, or `record` (write down as found), `original` (as first recorded),
    /// `previous` (as before the last change).
    public var position: String?
    /// LCD codes in order; `{stack_count}` stands for the number of stacks on site.
    public var sequence: [String]?
    /// `original`: one event per cable of the topology recorded at the start.
    public var links: String?
    /// `last-slave-first`: power on from the end of the chain to the master.
    public var order: String?
    /// The least pause between consecutive stacks, in milliseconds of observed time.
    public var minGapMs: Int?
    /// `target`: the version read back must be the run's target version.
    public var version: String?
}
