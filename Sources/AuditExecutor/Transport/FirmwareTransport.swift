import AuditCrypto

/// One way of getting a firmware image onto a stack (simulator, external flasher, technician); the executor
/// records the outcome the same way whichever is used.
public protocol FirmwareTransport: Sendable {
    /// Pushes the image. A refused, failed or timed-out push is a `.failed` outcome, not an error: it is a fact to
    /// record. Errors are kept for a transport that cannot run at all (bad configuration, missing program).
    /// `progress` receives percentages 0...100, not necessarily every value.
    func push(_ request: PushRequest, progress: @Sendable (Int) -> Void) async throws(TransportError) -> PushOutcome

    /// The version the stack reports now, or nil when it cannot be read (powered off, no answer).
    func readVersion(stack: String, serial: String) async throws(TransportError) -> String?

    /// Called once the outcome of `request`'s push is in the log: what the push did may now be forgotten.
    func outcomeRecorded(_ request: PushRequest) async throws(TransportError)
}

extension FirmwareTransport {
    /// A real device keeps no state about a push beyond the push itself.
    public func outcomeRecorded(_ request: PushRequest) async throws(TransportError) {}
}

/// Everything a transport needs to push one image to one stack.
public struct PushRequest: Sendable, Hashable {
    public var imagePath: String
    /// Checked by transports that can read the file, so a swapped image is refused before it is flashed.
    public var imageSHA256: Digest
    public var targetVersion: String
    public var stack: String
    public var serial: String
    /// 1 for the first try; lets flashers and faults tell retries apart.
    public var attempt: Int

    public init(
        imagePath: String, imageSHA256: Digest, targetVersion: String, stack: String, serial: String, attempt: Int = 1
    ) {
        self.imagePath = imagePath
        self.imageSHA256 = imageSHA256
        self.targetVersion = targetVersion
        self.stack = stack
        self.serial = serial
        self.attempt = attempt
    }
}

/// What a push did, as recorded in the log.
public enum PushOutcome: Sendable, Hashable {
    /// The transfer finished; `versionReadBack` may still differ from the target (a stale version is a finding).
    case completed(versionReadBack: String, durationMilliseconds: Int64, outputDigest: Digest?, exitStatus: Int32?)
    case failed(reason: String, exitStatus: Int32?, durationMilliseconds: Int64, outputDigest: Digest?)

    public var isCompleted: Bool {
        if case .completed = self { return true }
        return false
    }

    public var durationMilliseconds: Int64 {
        switch self {
        case .completed(_, let duration, _, _), .failed(_, _, let duration, _): duration
        }
    }

    public var outputDigest: Digest? {
        switch self {
        case .completed(_, _, let digest, _), .failed(_, _, _, let digest): digest
        }
    }

    public var exitStatus: Int32? {
        switch self {
        case .completed(_, _, _, let status), .failed(_, let status, _, _): status
        }
    }
}

/// A transport that cannot work at all; one line each.
public enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidTemplate(String)
    case invalidConfiguration(String)
    /// The external program could not be started (not found, not executable).
    case launchFailed(program: String, reason: String)
    case unknownStack(String)
    case prompt(PromptError)
    case simulator(String)
    case cancelled

    public var description: String {
        switch self {
        case .invalidTemplate(let reason): "invalid command template: \(reason)"
        case .invalidConfiguration(let reason): "invalid transport configuration: \(reason)"
        case .launchFailed(let program, let reason): "cannot start \(program): \(reason)"
        case .unknownStack(let stack): "unknown stack \(stack)"
        case .prompt(let error): error.description
        case .simulator(let reason): "simulator: \(reason)"
        case .cancelled: "cancelled"
        }
    }
}
