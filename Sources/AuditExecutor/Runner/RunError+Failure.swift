import AuditCore

// Kept apart from the error types so the executor's rewrite and this mapping merge without conflict.

extension RunError: AuditFailure {
    public var exitStatus: SysExit {
        switch self {
        case .log(let error): error.exitStatus
        case .domain(let error): error.exitStatus
        case .prompt(let error): error.exitStatus
        case .transport(let error): error.exitStatus
        case .simulator(let error): error.exitStatus
        case .image: .notFound
        case .alreadyCompleted, .aborted, .mismatchedResume, .invalidStacks, .noStacks, .flasherConfig: .invalidInput
        case .noTerminal: .usage
        }
    }
}

extension PromptError: AuditFailure {
    public var exitStatus: SysExit {
        switch self {
        case .noTerminal: .usage
        case .endOfInput, .tooManyInvalidAnswers, .answersFileSyntax, .invalidScriptedAnswer, .noScriptedAnswer:
            .invalidInput
        case .answersFileUnreadable: .notFound
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
        case .simulator: .internalError
        case .cancelled: .ioError
        }
    }
}

extension SimulatorError: AuditFailure {
    public var exitStatus: SysExit {
        switch self {
        case .unknownStack, .unknownCable: .notFound
        case .invalidFault, .invalidConfiguration: .invalidInput
        case .stateFile: .ioError
        }
    }
}

extension AnswerError: AuditFailure {
    public var exitStatus: SysExit { .invalidInput }
}
