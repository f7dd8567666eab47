/// How a run's pushes are made: the simulator, an external flasher command, or the technician by hand.
public enum PushTransport: String, CaseIterable, Sendable, Codable {
    case sim
    case command
    case manual

    /// A simulated run shows what `audit` does; its record is never evidence of a visit.
    public var isSimulation: Bool { self == .sim }
}
