import AuditCore
import AuditCrypto
import AuditDomain
import AuditLog

/// Why a run stopped before its end; one line each, so the CLI prints it as the only line on stderr.
public enum RunError: AuditFailure, Equatable, CustomStringConvertible {
    case log(AuditLogError)
    case domain(DomainError)
    case prompt(PromptError)
    case transport(TransportError)
    /// The firmware image could not be hashed (missing: 66, unreadable: 74).
    case image(FileReadError)
    /// The firmware image is not a regular file with content: a 0-byte file, a FIFO or a device is never pushed.
    case unusableImage(path: String, reason: String)
    /// The demo's image could not be written beside the log.
    case imageNotWritten(path: String, reason: String)
    case alreadyCompleted(site: String, seq: Int64)
    case aborted(site: String, reason: String)
    /// The run on record used another image or target; resuming with different inputs would mix two runs.
    case mismatchedResume(site: String, field: String, recorded: String, given: String)
    case invalidStacks(String)
    case noStacks(site: String)
    /// `--reopen` on a site whose procedure never completed: resume it without `--reopen`.
    case notReopenable(site: String)
    case noTerminal
    case simulator(SimulatorError)
    /// `--transport command` without `--flasher-config`.
    case noFlasherConfig
    /// The flasher configuration file could not be read.
    case flasherConfigUnreadable(FileReadError)
    /// The flasher configuration was read but is not valid.
    case flasherConfig(path: String, reason: String)

    public var description: String {
        switch self {
        case .log(let error): error.description
        case .domain(let error): error.description
        case .prompt(let error): error.description
        case .transport(let error): error.description
        case .image(let error): "firmware image: \(error)"
        case .unusableImage(let path, let reason): "firmware image \(path) \(reason); nothing was pushed"
        case .imageNotWritten(let path, let reason): "cannot write firmware image \(path): \(reason)"
        case .alreadyCompleted(let site, let seq):
            "site '\(site)' already completed its run (event \(seq)); choose another --site"
        case .aborted(let site, let reason): "site '\(site)' was aborted (\(reason)); choose another --site"
        case .mismatchedResume(let site, let field, let recorded, let given):
            "site '\(site)' was started with \(field) \(recorded), not \(given); resume with the same inputs"
        case .invalidStacks(let reason): "invalid stacks: \(reason)"
        case .noStacks(let site): "site '\(site)' has no stacks registered"
        case .notReopenable(let site):
            "site '\(site)' has not completed, so there is nothing to reopen; run it without --reopen to resume"
        case .noTerminal:
            "no terminal to ask the technician: give --answers FILE, or use --transport sim for a simulated site"
        case .simulator(let error): error.description
        case .noFlasherConfig: "--transport command needs --flasher-config FILE"
        case .flasherConfigUnreadable(let error): "flasher config: \(error)"
        case .flasherConfig(let path, let reason): "flasher config \(path): \(reason)"
        }
    }

    public var exitStatus: SysExit {
        switch self {
        case .log(let error): error.exitStatus
        case .domain(let error): error.exitStatus
        case .prompt(let error): error.exitStatus
        case .transport(let error): error.exitStatus
        case .image(let error), .flasherConfigUnreadable(let error): error.exitStatus
        case .imageNotWritten: .ioError
        case .alreadyCompleted, .aborted: .refusingToOverwrite
        case .mismatchedResume, .noStacks, .flasherConfig, .unusableImage: .invalidInput
        case .invalidStacks, .noTerminal, .noFlasherConfig, .notReopenable: .usage
        case .simulator(let error): error.exitStatus
        }
    }
}

extension PromptError: AuditFailure {
    public var exitStatus: SysExit {
        switch self {
        case .noTerminal: .usage
        case .answersFileUnreadable(let error): error.exitStatus
        case .endOfInput: .ioError
        case .answersFileSyntax, .invalidScriptedAnswer, .noScriptedAnswer, .tooManyInvalidAnswers, .back: .invalidInput
        case .simulator: .internalError
        }
    }
}

extension TransportError: AuditFailure {
    public var exitStatus: SysExit {
        switch self {
        case .invalidTemplate, .invalidConfiguration: .invalidInput
        case .launchFailed, .unknownStack: .notFound
        case .prompt(let error): error.exitStatus
        case .simulator, .cancelled: .internalError
        }
    }
}

extension SimulatorError: AuditFailure {
    public var exitStatus: SysExit {
        switch self {
        case .invalidFault, .invalidConfiguration: .usage
        case .stateFile: .ioError
        case .unknownStack, .unknownCable: .internalError
        }
    }
}
