/// An error that carries its own presentation: the exit status and one line for the user.
///
/// Modelled on Hummingbird's `HTTPResponseError`: the library that raises a failure knows what it
/// means, so the command line maps every failure once instead of guessing at each call site.
public protocol AuditFailure: Error, Sendable {
    /// How the process ends when this failure reaches the command line.
    var exitStatus: SysExit { get }
    /// One line, no trailing newline, never secret material.
    var message: String { get }
}

extension AuditFailure where Self: CustomStringConvertible {
    public var message: String { description }
}

/// A presented failure built from parts, for code that wraps another failure with context.
public struct PresentedFailure: AuditFailure, Equatable, CustomStringConvertible {
    public var exitStatus: SysExit
    public var message: String

    public init(_ exitStatus: SysExit, _ message: String) {
        self.exitStatus = exitStatus
        self.message = message
    }

    /// Keeps `failure`'s status and puts `context` before its message.
    public init(context: String, _ failure: some AuditFailure) {
        self.init(failure.exitStatus, "\(context): \(failure.message)")
    }

    public var description: String { message }
}

extension SysExit {
    /// The status for any error: its own when it is an `AuditFailure`, else an internal error.
    public static func of(_ error: any Error) -> SysExit {
        (error as? any AuditFailure)?.exitStatus ?? .internalError
    }
}

/// One line for any error: an `AuditFailure`'s message, else its description, with controls escaped.
public func oneLineMessage(_ error: any Error) -> String {
    let text = (error as? any AuditFailure)?.message ?? String(describing: error)
    return text.escapingControls
}
