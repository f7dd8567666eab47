import AuditLog

/// Generates the events of a complete, correct run of the procedure, optionally with one field failure injected.
/// Tests, the simulator and JSONL fixtures share it so they all agree on what a correct run looks like.
public struct ScenarioBuilder: Sendable {
    public var site: String
    /// Stacks `S1` (master) to `SN`; deviations need at least 2.
    public var stackCount: Int
    public var deviation: Deviation?
    /// The first event is observed one second after this.
    public var start: Timestamp
    public var actor: String
    public var model = DeviceModel(name: "BMS-6P", addrPins: 6, invPins: 6)
    public var previousVersion = "4005"
    public var targetVersion = "4007"
    public var imageSHA256 = "9f2c4a1b7e3d5f6a8b0c2d4e6f8a0b1c3d5e7f9a1b3c5d7e9f0a2b4c6d8e0f1a"
    public var imageName = "bms-controller-4007.bin"
    /// What `.olderProcedure` claims to have followed.
    public var olderProcedureVersion = "2023-06-01"

    public init(
        site: String = "site-1", stackCount: Int = 3, deviation: Deviation? = nil,
        start: Timestamp = Timestamp(millisecondsSinceEpoch: 1_768_464_000_000),
        actor: String = "technician@example.com"
    ) {
        precondition(stackCount >= 1 && (deviation == nil || stackCount >= 2), "deviations need at least 2 stacks")
        self.site = site
        self.stackCount = stackCount
        self.deviation = deviation
        self.start = start
        self.actor = actor
    }

    public func build() -> Scenario {
        var run = ScenarioRun(self)
        run.prepare()
        run.isolate()
        run.detectIsolated()
        run.update()
        run.restore()
        run.detectFinal()
        return Scenario(site: site, deviation: deviation, drafts: run.recorder.drafts, evidence: run.recorder.evidence)
    }

    /// The stack ids in chain order, master first.
    public var stackIDs: [String] { (1...stackCount).map { "S\($0)" } }

    /// ADDR as found: the stack's address in binary, pin 1 the lowest bit (the master is `UDDDDD`).
    public func originalAddr(order: Int) -> DIPPosition {
        DIPPosition.address(order, pins: model.addrPins)
    }

    /// INV as found: a service setting that is neither the detection nor the master pattern.
    public var originalInv: DIPPosition { DIPPosition(up: (1...model.invPins).map { $0 == 3 }) }
}

extension ScenarioBuilder {
    /// Many sites' runs one after another (2 to 4 stacks, cycling through no deviation and then each one):
    /// a realistic whole log for benchmarks and load tests.
    public static func fleet(sites: Int) -> [EventDraft] {
        let deviations = [nil] + Deviation.allCases
        return (0..<sites).flatMap { index in
            ScenarioBuilder(
                site: "site-\(index)", stackCount: 2 + index % 3, deviation: deviations[index % deviations.count]
            ).build().drafts
        }
    }
}
