import AuditDomain
import AuditLog

/// Why a run stopped before its end; one line each, so the CLI prints it as the only line on stderr.
public enum RunError: Error, Sendable, Equatable, CustomStringConvertible {
    case log(AuditLogError)
    case domain(DomainError)
    case prompt(PromptError)
    case transport(TransportError)
    case image(path: String, reason: String)
    case alreadyCompleted(site: String, seq: Int64)
    case aborted(site: String, reason: String)
    /// The run on record used another image or target; resuming with different inputs would mix two runs.
    case mismatchedResume(site: String, field: String, recorded: String, given: String)
    case invalidStacks(String)
    case noStacks(site: String)
    case noTerminal
    case simulator(SimulatorError)
    case flasherConfig(path: String, reason: String)

    public var description: String {
        switch self {
        case .log(let error): error.description
        case .domain(let error): error.description
        case .prompt(let error): error.description
        case .transport(let error): error.description
        case .image(let path, let reason): "cannot read firmware image \(path): \(reason)"
        case .alreadyCompleted(let site, let seq):
            "site '\(site)' already completed its run (event \(seq)); choose another --site"
        case .aborted(let site, let reason): "site '\(site)' was aborted (\(reason)); choose another --site"
        case .mismatchedResume(let site, let field, let recorded, let given):
            "site '\(site)' was started with \(field) \(recorded), not \(given); resume with the same inputs"
        case .invalidStacks(let reason): "invalid stacks: \(reason)"
        case .noStacks(let site): "site '\(site)' has no stacks registered"
        case .noTerminal:
            "no terminal to ask the technician: give --answers FILE, or use --transport sim for a simulated site"
        case .simulator(let error): error.description
        case .flasherConfig(let path, let reason): "flasher config \(path): \(reason)"
        }
    }
}
