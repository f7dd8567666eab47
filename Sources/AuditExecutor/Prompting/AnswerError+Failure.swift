import AuditCore

/// A bad answer is invalid input: the prompt names what it expects.
extension AnswerError: AuditFailure {
    public var exitStatus: SysExit { .invalidInput }
}
