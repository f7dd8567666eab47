/// One line a person reads for an event: what was observed or done, without the event's JSON.
extension DomainEvent {
    public var summary: String {
        switch self {
        case .siteRegistered(let site):
            let stacks = site.stacks.map { "\($0.id) \($0.serial)" }.joined(separator: ", ")
            return "site registered: \(site.model.name), \(Plural.count(site.stacks.count, "stack")): \(stacks)"
        case .procedureStarted(let started):
            let transport = started.transport.map { ", pushes by \($0.rawValue)" } ?? ""
            return "procedure \(started.procedureID) \(started.procedureVersion) started: target "
                + "\(started.targetVersion), image \(started.imageName)\(transport)"
        case .firmwareVersionObserved(let observed): return "firmware version reads \(observed.version)"
        case .powerObserved(let observed): return "BMS \(observed.state.rawValue)"
        case .cableObserved(let cable): return "cable \(cable.from) → \(cable.to) \(cable.state.rawValue)"
        case .dipObserved(let dip): return "\(dip.bank.rawValue.uppercased()) DIP at \(dip.position)"
        case .lcdObserved(let lcd): return "LCD shows \(lcd.code)"
        case .noteAdded(let note): return "note: \(note.text)"
        case .photoAttached(let photo):
            return "photo \(photo.caption ?? photo.name)" + (photo.mediaType == nil ? " (hash only)" : "")
        case .pushStarted(let push):
            return "push attempt \(push.attempt) started (\(push.transport)), target \(push.targetVersion)"
        case .pushProgress(let progress): return "push at \(progress.percent)%"
        case .pushCompleted(let completed): return "push completed: unit reads \(completed.version)"
        case .pushFailed(let failed): return "push FAILED: \(failed.reason)"
        case .stepCompleted(let step): return "step done: \(step.step)"
        case .procedureCompleted: return "procedure completed"
        case .procedureAborted(let aborted): return "procedure aborted: \(aborted.reason)"
        case .procedureReopened(let reopened): return "procedure reopened: \(reopened.reason)"
        }
    }
}

/// Counts in words a person reads: "1 stack", "3 stacks".
public enum Plural {
    public static func count(_ n: Int, _ singular: String, plural: String? = nil) -> String {
        "\(n) \(n == 1 ? singular : (plural ?? singular + "s"))"
    }
}
