import AuditCore
import AuditLog

/// Why an observation is refused before it reaches the log.
public enum AdmissionError: AuditFailure, Equatable, CustomStringConvertible {
    case unknownSite(String)
    case alreadyRegistered(site: String, seq: Int64)
    case invalid(DomainError)
    case unknownStep(String, procedure: String, valid: [String])
    case notADomainType(String, site: String)
    case foreignEvents(site: String, seq: Int64)
    case noProcedure(site: String)
    /// A reopening needs a completed site whose last visit is closed.
    case notReopenable(site: String, reason: String)

    public var description: String {
        switch self {
        case .unknownSite(let site): "unknown site '\(site)' (register it first with 'audit record site')"
        case .alreadyRegistered(let site, let seq): "site '\(site)' is already registered (seq \(seq))"
        case .invalid(let error): error.description
        case .unknownStep(let step, let procedure, let valid):
            "step '\(step)' is not in procedure \(procedure); its steps are \(valid.joined(separator: ", "))"
        case .notADomainType(let type, let site):
            "site '\(site)' is registered, and '\(type)' is not one of its event types (see docs/DOMAIN.md)"
        case .notReopenable(let site, let reason): "site '\(site)' cannot be reopened: \(reason)"
        case .noProcedure(let site):
            "no procedure started at site '\(site)': give the image's SHA-256 and the target version"
        case .foreignEvents(let site, let seq):
            "site '\(site)' already holds events of other types (seq \(seq)); register the procedure under another site name"
        }
    }

    public var exitStatus: SysExit {
        switch self {
        case .unknownSite, .unknownStep: .notFound
        case .alreadyRegistered: .refusingToOverwrite
        case .invalid(let error): error.exitStatus
        case .notADomainType, .foreignEvents, .noProcedure, .notReopenable: .invalidInput
        }
    }
}

extension SiteState {
    /// A push intent; what is not given defaults to the approved image and target the procedure started with.
    public func pushIntent(
        imageSHA256: String?, targetVersion: String?, transport: String, attempt: Int
    ) throws(AdmissionError) -> PushStarted {
        guard let image = imageSHA256 ?? procedure?.value.imageSHA256,
            let target = targetVersion ?? procedure?.value.targetVersion
        else { throw .noProcedure(site: site) }
        return PushStarted(imageSHA256: image, targetVersion: target, transport: transport, attempt: attempt)
    }
}

/// The append guard every domain writer uses: decodes and admits each new draft in order against the site's state.
public enum SiteAdmission {
    /// Generic events (any type) stay welcome at sites the domain does not know; a registered site, or any draft
    /// using a domain type, must decode and pass `admit`, so nothing appended can later break the site's rebuild.
    public static func check(site: String, logged: [LoggedEvent], new drafts: [EventDraft]) throws(AdmissionError) {
        var state = SiteGate().initialState(site: site, keepingHistory: true)
        for event in logged { try SiteGate.apply(event, to: &state) }
        try SiteGate.admit(drafts, site: site, state: state)
    }
}

extension SiteFold {
    /// A correction names an uncorrected observation of this site, of its own type and stack, and is itself valid.
    func admitCorrection(_ event: DomainEvent, stack: String?, mark: CorrectionMark) throws(AdmissionError) {
        guard state.registeredSeq != nil else { throw .unknownSite(site) }
        func refuse(_ reason: String) -> AdmissionError {
            .invalid(.correctionTarget(seq: mark.corrects, reason: reason))
        }
        guard let target = original(seq: mark.corrects) else {
            throw .invalid(.correctionTargetMissing(seq: mark.corrects, site: site))
        }
        guard target.correction == nil else {
            throw refuse("it is itself a correction; correct event \(target.correction!.corrects) again instead")
        }
        guard target.event.type == event.type else {
            throw refuse("it is a \(target.event.type), not a \(event.type)")
        }
        guard target.stack == stack else {
            throw refuse("it is about \(target.stack ?? "no stack"), not \(stack ?? "no stack")")
        }
        do { try state.validate(event, stack: stack, checkingPorts: false) } catch { throw .invalid(error) }
    }
}
