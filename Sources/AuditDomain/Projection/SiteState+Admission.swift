/// Why an observation is refused before it reaches the log.
public enum AdmissionError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownSite(String)
    case alreadyRegistered(site: String, seq: Int64)
    case invalid(DomainError)
    case unknownStep(String, procedure: String)

    public var description: String {
        switch self {
        case .unknownSite(let site): "unknown site '\(site)' (register it first with 'audit record site')"
        case .alreadyRegistered(let site, let seq): "site '\(site)' is already registered (seq \(seq))"
        case .invalid(let error): error.description
        case .unknownStep(let step, let procedure): "step '\(step)' is not in procedure \(procedure)"
        }
    }
}

extension SiteState {
    /// The one gate every writer passes: registration first, once; then each observation checked against it.
    public func admit(_ event: DomainEvent, stack: String?) throws(AdmissionError) {
        if case .siteRegistered = event {
            if let registeredSeq { throw .alreadyRegistered(site: site, seq: registeredSeq) }
            return
        }
        guard registeredSeq != nil else { throw .unknownSite(site) }
        do { try validate(event, stack: stack) } catch { throw .invalid(error) }
        if case .stepCompleted(let payload) = event {
            let procedure =
                (try? Procedure.load(
                    id: self.procedure?.value.procedureID ?? "", version: self.procedure?.value.procedureVersion))
                ?? Procedure.bundled.first
            if let procedure, !procedure.steps.contains(where: { $0.id == payload.step }) {
                throw .unknownStep(payload.step, procedure: "\(procedure.id) \(procedure.version)")
            }
        }
    }
}
