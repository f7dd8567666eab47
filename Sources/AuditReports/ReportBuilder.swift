import AuditCrypto
import AuditDomain
import AuditLog

/// What a report is derived from: everything else in it is recomputed from these by ``ReportBuilder``.
public struct ReportInputs: Sendable, Hashable {
    public var site: String
    public var generatedAt: Timestamp
    public var checkpoint: Checkpoint
    public var keyID: String
    public var events: [ProvenEvent]

    public init(site: String, generatedAt: Timestamp, checkpoint: Checkpoint, keyID: String, events: [ProvenEvent]) {
        self.site = site
        self.generatedAt = generatedAt
        self.checkpoint = checkpoint
        self.keyID = keyID
        self.events = events
    }
}

/// Derives a report from a site's events; the verifier runs the same derivation to re-check one.
public enum ReportBuilder {
    /// Reads the site's events, their proofs and a checkpoint in one transaction, refusing a broken chain.
    public static func inputs(
        store: SQLiteEventStore, site: String, keyID: String, clock: any AuditClock = SystemClock()
    ) throws(ReportError) -> ReportInputs {
        let snapshot: CheckpointedEvents
        do { snapshot = try store.checkpointedEvents(EventFilter(site: site)) } catch { throw .log(error) }
        if let chainBreak = snapshot.chain.firstBreak { throw .brokenChain(chainBreak) }
        guard !snapshot.events.isEmpty else { throw .unknownSite(site) }
        return ReportInputs(
            site: site, generatedAt: clock.now(), checkpoint: snapshot.checkpoint, keyID: keyID,
            events: zip(snapshot.events, snapshot.proofs).map(ProvenEvent.init))
    }

    /// Replays the events through the projection and the rules; pure, so a verifier gets the same report.
    public static func build(_ inputs: ReportInputs) throws(ReportError) -> Report {
        let events = inputs.events.map(\.event)
        let state: SiteState
        do { state = try SiteProjection.rebuild(site: inputs.site, events: events) } catch { throw .domain(error) }
        let findings = Rules.evaluate(state)
        let started = state.procedure?.value
        let procedure = started.flatMap { try? Procedure.load(id: $0.procedureID, version: $0.procedureVersion) }
        return Report(
            generatedAt: inputs.generatedAt, site: inputs.site,
            procedure: started.map {
                ReportProcedure(
                    id: $0.procedureID, version: $0.procedureVersion, targetVersion: $0.targetVersion,
                    imageSHA256: $0.imageSHA256, imageName: $0.imageName)
            },
            stacks: state.stacks.map(stack), findings: findings, verdict: Verdict.overall(findings),
            timeline: state.stepsCompleted.map { step in
                TimelineEntry(
                    step: step.value, title: procedure?.steps.first { $0.id == step.value }?.title ?? step.value,
                    seq: step.seq, observedAt: step.at)
            },
            logID: inputs.checkpoint.logID, checkpoint: inputs.checkpoint, keyID: inputs.keyID, events: inputs.events)
    }

    static func stack(_ state: StackState) -> ReportStack {
        ReportStack(
            id: state.id, serial: state.serial, order: state.order, firmwareBefore: state.versionBefore?.value,
            firmwareAfter: state.versionAfter?.value,
            addr: DIPChange(original: state.addr.original?.value.description, final: state.addr.now?.value.description),
            inv: DIPChange(original: state.inv.original?.value.description, final: state.inv.now?.value.description))
    }
}
