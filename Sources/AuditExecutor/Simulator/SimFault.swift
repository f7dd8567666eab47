/// A fault the simulator injects, so every failure the recorder must catch can be staged on demand.
///
/// Push faults fire on the first push of their stack and technician faults on the first occasion; each fires once
/// (the simulated site remembers it, across restarts), so a retry can succeed.
/// Written for the CLI as `push-fails:S2[:reason]`, `push-stalls:S2`, `stale-version:S2`, `power-cut-mid-push:S2`,
/// `skip-dip-restore:S2`, `wrong-power-order`.
public enum SimFault: Sendable, Hashable, CustomStringConvertible {
    /// The push is refused by the gateway with `reason`.
    case pushFails(stack: String, reason: String)
    /// The transfer stops making progress; the transport gives up after its stall timeout.
    case pushStalls(stack: String)
    /// The transfer reports success but the stack keeps its old version.
    case staleVersion(stack: String)
    /// Power is lost half way: the stack goes dark, reads `0000` and shows `ERROR 20` once powered again.
    case powerCutMidPush(stack: String)
    /// The technician confirms restoring the stack's original ADDR but leaves it as it is (two masters result).
    case skipDIPRestore(stack: String)
    /// Asked to power the stacks on from the last slave, the technician switches the master on first.
    case wrongPowerOrder

    public static let defaultFailureReason = "Skybox reported: update package rejected"

    public var stack: String? {
        switch self {
        case .pushFails(let stack, _), .pushStalls(let stack), .staleVersion(let stack), .powerCutMidPush(let stack),
            .skipDIPRestore(let stack):
            stack
        case .wrongPowerOrder: nil
        }
    }

    public var description: String {
        switch self {
        case .pushFails(let stack, let reason):
            reason == Self.defaultFailureReason ? "push-fails:\(stack)" : "push-fails:\(stack):\(reason)"
        case .pushStalls(let stack): "push-stalls:\(stack)"
        case .staleVersion(let stack): "stale-version:\(stack)"
        case .powerCutMidPush(let stack): "power-cut-mid-push:\(stack)"
        case .skipDIPRestore(let stack): "skip-dip-restore:\(stack)"
        case .wrongPowerOrder: "wrong-power-order"
        }
    }

    public init(parsing text: String) throws(SimulatorError) {
        let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        let name = parts[0]
        let stack = parts.count > 1 ? parts[1] : ""
        if name == "wrong-power-order", parts.count == 1 {
            self = .wrongPowerOrder
            return
        }
        guard !stack.isEmpty else { throw .invalidFault(text, "expected '\(name):<stack>'") }
        guard parts.count == 2 || name == "push-fails" else { throw .invalidFault(text, "too many ':' parts") }
        switch name {
        case "push-fails":
            self = .pushFails(stack: stack, reason: parts.count > 2 ? parts[2] : Self.defaultFailureReason)
        case "push-stalls": self = .pushStalls(stack: stack)
        case "stale-version": self = .staleVersion(stack: stack)
        case "power-cut-mid-push": self = .powerCutMidPush(stack: stack)
        case "skip-dip-restore": self = .skipDIPRestore(stack: stack)
        default:
            throw .invalidFault(
                text,
                "unknown fault; known: push-fails, push-stalls, stale-version, power-cut-mid-push, skip-dip-restore, "
                    + "wrong-power-order")
        }
    }
}

extension SimFault: TextCodable {}

/// Why the simulated site refused an operation or could not be loaded; one line each.
public enum SimulatorError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownStack(String)
    case unknownCable(String)
    case invalidFault(String, String)
    case invalidConfiguration(String)
    case stateFile(path: String, reason: String)

    public var description: String {
        switch self {
        case .unknownStack(let stack): "no stack \(stack) on the simulated site"
        case .unknownCable(let cable): "no link port for cable \(cable) on the simulated site"
        case .invalidFault(let text, let reason): "invalid fault '\(text)': \(reason)"
        case .invalidConfiguration(let reason): "invalid simulated site: \(reason)"
        case .stateFile(let path, let reason): "simulated site state \(path): \(reason)"
        }
    }
}
