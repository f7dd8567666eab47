/// A logged event read into the domain's terms: one case per event type, each with a typed payload.
public enum DomainEvent: Sendable, Hashable {
    case siteRegistered(SiteRegistered)
    case procedureStarted(ProcedureStarted)
    case firmwareVersionObserved(VersionObserved)
    case powerObserved(PowerObserved)
    case cableObserved(CableObserved)
    case dipObserved(DIPObserved)
    case lcdObserved(LCDObserved)
    case noteAdded(NoteAdded)
    case photoAttached(PhotoAttached)
    case pushStarted(PushStarted)
    case pushProgress(PushProgress)
    case pushCompleted(PushCompleted)
    case pushFailed(PushFailed)
    case stepCompleted(StepCompleted)
    case procedureCompleted
    case procedureAborted(ProcedureAborted)
    case procedureReopened(ProcedureReopened)

    public var type: EventType {
        switch self {
        case .siteRegistered: .siteRegistered
        case .procedureStarted: .procedureStarted
        case .firmwareVersionObserved: .firmwareVersionObserved
        case .powerObserved: .powerObserved
        case .cableObserved: .cableObserved
        case .dipObserved: .dipObserved
        case .lcdObserved: .lcdObserved
        case .noteAdded: .noteAdded
        case .photoAttached: .photoAttached
        case .pushStarted: .pushStarted
        case .pushProgress: .pushProgress
        case .pushCompleted: .pushCompleted
        case .pushFailed: .pushFailed
        case .stepCompleted: .stepCompleted
        case .procedureCompleted: .procedureCompleted
        case .procedureAborted: .procedureAborted
        case .procedureReopened: .procedureReopened
        }
    }
}
