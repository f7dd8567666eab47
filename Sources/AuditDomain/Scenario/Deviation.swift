/// One field failure injected into an otherwise correct run; each breaks exactly the rules it lists.
public enum Deviation: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    case skipAddrRestore
    case skipInvRestore
    case dipChangedBeforeOriginals
    case unplugWhilePowered
    case reconnectWhilePowered
    case pushWhileParallel
    case isolatedDetectionWrong
    case staleVersion
    case stalledPush
    case cableNotRestored
    case wrongPowerOrder
    case shortPause
    case wrongFinalCount
    case errorLeftOpen
    case stepSkipped
    case olderProcedure
    /// S2's original ADDR typed as the master's, then faithfully "restored": two masters.
    case mistypedOriginal
    /// An LCD reading recorded after `procedure.completed`.
    case lateEntry

    /// The rule ids this deviation fails; every other rule passes.
    public var failingRules: Set<String> {
        switch self {
        // The last slave left on the isolation setting is a second master.
        case .skipAddrRestore: ["dip.addr-restored", "dip.addr-parallel-valid"]
        case .mistypedOriginal: ["dip.addr-parallel-valid"]
        case .lateEntry: ["record.no-late-entries"]
        case .skipInvRestore: ["dip.inv-restored"]
        case .dipChangedBeforeOriginals: ["dip.originals-first"]
        case .unplugWhilePowered: ["power.off-before-unplug"]
        case .reconnectWhilePowered: ["power.off-before-reconnect"]
        case .pushWhileParallel: ["push.isolated"]
        case .isolatedDetectionWrong: ["detect.isolated-62-then-1"]
        case .staleVersion: ["firmware.target-version"]
        // A stalled transfer leaves the unit on its old version too.
        case .stalledPush: ["push.no-stalled", "firmware.target-version"]
        case .cableNotRestored: ["cables.restored"]
        case .wrongPowerOrder, .shortPause: ["power.on-order"]
        case .wrongFinalCount: ["detect.final-count"]
        case .errorLeftOpen: ["errors.none-open"]
        case .stepSkipped, .olderProcedure: ["steps.complete-in-order"]
        }
    }

    public var description: String { rawValue }
}
