/// The process exit statuses `audit` uses, after BSD's sysexits(3), so scripts can tell a "no" from a typo.
///
/// Named apart from Swift Testing's and swift-subprocess's `ExitStatus`.
public enum SysExit: Int32, Sendable, CaseIterable, CustomStringConvertible {
    /// The command did what it was asked.
    case success = 0
    /// The answer is "no": a check failed, a chain or a report does not verify.
    case no = 1
    /// The command line cannot be parsed (EX_USAGE).
    case usage = 64
    /// Input that parses but is not valid (EX_DATAERR).
    case invalidInput = 65
    /// Something named does not exist (EX_NOINPUT).
    case notFound = 66
    /// An internal error: a bug (EX_SOFTWARE).
    case internalError = 70
    /// Refusing to overwrite something that exists (EX_CANTCREAT).
    case refusingToOverwrite = 73
    /// An I/O error: disk full, read-only file system, permission denied, unreachable peer (EX_IOERR).
    case ioError = 74

    /// A stable word for machine-readable output (`{"error": {"kind": ...}}`).
    public var kind: String {
        switch self {
        case .success: "success"
        case .no: "no"
        case .usage: "usage"
        case .invalidInput: "invalid-input"
        case .notFound: "not-found"
        case .internalError: "internal"
        case .refusingToOverwrite: "exists"
        case .ioError: "io"
        }
    }

    public var description: String { "\(rawValue) (\(kind))" }
}
