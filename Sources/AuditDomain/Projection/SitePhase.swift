/// Where a site is in the procedure; raw values are the procedure file's phase ids.
public enum SitePhase: String, CaseIterable, Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    case notStarted = "not-started"
    case prepare
    case isolate
    case isolatedDetection = "isolated-detection"
    case update
    case restore
    case finalDetection = "final-detection"
    case completed
    case aborted

    public static func < (lhs: SitePhase, rhs: SitePhase) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    public var description: String { rawValue }
}
