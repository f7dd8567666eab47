import AuditCore

/// Why a witness refuses a request; each case carries its tlog-witness HTTP status and an exit status.
///
/// Modelled on Hummingbird's `HTTPResponseError`, without depending on it: the HTTP layer maps the status once.
public enum WitnessError: AuditFailure, Equatable, CustomStringConvertible {
    /// The body is not `old <size>`, proof lines, an empty line and a signed checkpoint (400).
    case malformed(String)
    /// The body is longer than the witness accepts (413).
    case tooLarge(limit: Int)
    /// The checkpoint's origin is not one this witness trusts (404).
    case unknownOrigin(String)
    /// The checkpoint carries no valid signature by the origin's log key (403).
    case badLogSignature(String)
    /// The request's old size is not the size this witness last cosigned for the origin (409).
    case sizeMismatch(current: Int64)
    /// The consistency proof does not take the witnessed tree to the checkpoint's (422).
    case proofDoesNotVerify
    /// The body did not arrive within the time the witness gives a request (408).
    case requestTimeout(seconds: Int)
    /// The witness's state could not be read or written (500); nothing was cosigned.
    case storage(String)

    /// The tlog-witness response status for this refusal.
    public var httpStatus: Int {
        switch self {
        case .malformed: 400
        case .tooLarge: 413
        case .unknownOrigin: 404
        case .badLogSignature: 403
        case .sizeMismatch: 409
        case .proofDoesNotVerify: 422
        case .requestTimeout: 408
        case .storage: 500
        }
    }

    /// The response body: the witness's current size for a 409 (`text/x.tlog.size`), else the message.
    public var responseBody: String {
        if case .sizeMismatch(let current) = self { return "\(current)\n" }
        return message + "\n"
    }

    /// `text/x.tlog.size` for a 409, plain text otherwise.
    public var contentType: String {
        if case .sizeMismatch = self { return WitnessProtocol.sizeContentType }
        return "text/plain; charset=utf-8"
    }

    public var exitStatus: SysExit {
        switch self {
        case .malformed, .tooLarge: .invalidInput
        case .unknownOrigin: .notFound
        case .badLogSignature, .sizeMismatch, .proofDoesNotVerify: .no
        case .requestTimeout, .storage: .ioError
        }
    }

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed add-checkpoint request: \(reason)"
        case .tooLarge(let limit): "the request body is larger than \(limit) bytes"
        case .unknownOrigin(let origin): "unknown origin '\(origin)'"
        case .badLogSignature(let reason): "the checkpoint's log signature does not verify: \(reason)"
        case .sizeMismatch(let current): "the witness last cosigned size \(current)"
        case .proofDoesNotVerify: "the consistency proof does not verify"
        case .requestTimeout(let seconds): "the request body did not arrive within \(seconds) s"
        case .storage(let reason): "witness state: \(reason)"
        }
    }
}
