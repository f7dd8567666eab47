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
    /// The checkpoint as a signed note with its cosignatures, and what witnesses saw before it.
    public var witnessing: ReportWitnessing

    public init(
        site: String, generatedAt: Timestamp, checkpoint: Checkpoint, keyID: String, events: [ProvenEvent],
        witnessing: ReportWitnessing
    ) {
        self.site = site
        self.generatedAt = generatedAt
        self.checkpoint = checkpoint
        self.keyID = keyID
        self.events = events
        self.witnessing = witnessing
    }
}

/// A photo's bytes and the path inside the report folder they are written to.
public struct PhotoCopy: Sendable, Hashable {
    public var file: String
    public var bytes: [UInt8]

    public init(file: String, bytes: [UInt8]) {
        self.file = file
        self.bytes = bytes
    }
}

/// Derives a report from a site's events; the verifier runs the same derivation to re-check one.
public enum ReportBuilder {
    /// Reads the site's events and proves them against the latest witnessed checkpoint that holds them all (or
    /// the current one), in one transaction, refusing a broken chain.
    public static func inputs(
        store: SQLiteEventStore, site: String, key: Ed25519PrivateKey, clock: any AuditClock = SystemClock()
    ) throws(ReportError) -> ReportInputs {
        try prepared(store: store, site: site, key: key, clock: clock).inputs
    }

    /// The inputs, and the stored cosignatures the log no longer matches (the caller warns about them).
    static func prepared(
        store: SQLiteEventStore, site: String, key: Ed25519PrivateKey, clock: any AuditClock
    ) throws(ReportError) -> (inputs: ReportInputs, inconsistent: [CosignedCheckpoint]) {
        let witnessed: WitnessedEvents
        do { witnessed = try store.witnessedEvents(EventFilter(site: site)) } catch { throw .log(error) }
        let snapshot = witnessed.snapshot
        if let chainBreak = snapshot.chain.firstBreak { throw .brokenChain(chainBreak) }
        guard !snapshot.events.isEmpty else { throw .unknownSite(site) }
        let signer: NoteSigner
        do { signer = try NoteSigner(name: store.origin, privateKey: key) } catch { throw .note(error) }
        let witnessing = ReportWitnessing.embedding(
            snapshot.checkpoint, signer: signer, cosignatures: witnessed.cosignatures,
            history: witnessed.firstWitnessed)
        let inputs = ReportInputs(
            site: site, generatedAt: clock.now(), checkpoint: snapshot.checkpoint, keyID: key.keyID,
            events: zip(snapshot.events, snapshot.proofs).map(ProvenEvent.init), witnessing: witnessing)
        return (inputs, witnessed.inconsistent)
    }

    /// Replays the events through the projection and the rules; pure, so a verifier gets the same report.
    public static func build(_ inputs: ReportInputs) throws(ReportError) -> Report {
        let events = inputs.events.map(\.event)
        let state: SiteState
        do { state = try SiteProjection.rebuild(site: inputs.site, events: events) } catch { throw .domain(error) }
        let findings = Rules.evaluate(state)
        let witnessing = inputs.witnessing
        let size = inputs.checkpoint.size
        var readings = readings(events, procedure: procedure(state))
        for index in readings.indices {
            readings[index].firstWitnessedAt = witnessing.firstWitnessed(seq: readings[index].seq, checkpointSize: size)
        }
        let started = state.procedure?.value
        let procedure = procedure(state)
        return Report(
            generatedAt: inputs.generatedAt, site: inputs.site,
            procedure: started.map {
                ReportProcedure(
                    id: $0.procedureID, version: $0.procedureVersion, targetVersion: $0.targetVersion,
                    imageSHA256: $0.imageSHA256, imageName: $0.imageName, transport: $0.transport?.rawValue,
                    deviceModel: $0.deviceModel, installer: $0.installer, company: $0.company)
            },
            stacks: state.stacks.map(stack), findings: findings, verdict: Verdict.overall(findings),
            mode: ReportMode(started?.transport),
            timeline: state.stepsCompleted.map { step in
                TimelineEntry(
                    step: step.value, title: procedure?.steps.first { $0.id == step.value }?.title ?? step.value,
                    seq: step.seq, observedAt: step.at,
                    firstWitnessedAt: witnessing.firstWitnessed(seq: step.seq, checkpointSize: size))
            },
            photos: try photos(events), readings: readings, visits: visits(events),
            corrections: corrections(state), lateEntries: lateEntries(state, findings: findings, readings: readings),
            logID: inputs.checkpoint.logID, checkpoint: inputs.checkpoint, keyID: inputs.keyID, events: inputs.events,
            witnessing: witnessing)
    }

    /// The bundled procedure the run names; one this build does not bundle leaves step titles as their ids.
    static func procedure(_ state: SiteState) -> Procedure? {
        guard let started = state.procedure?.value else { return nil }
        return try? Procedure.load(id: started.procedureID, version: started.procedureVersion)
    }

    /// Each correction with both values in words, as the readings word them.
    static func corrections(_ state: SiteState) -> [ReportCorrection] {
        state.corrections.map { correction in
            ReportCorrection(
                seq: correction.seq, corrects: correction.corrects, type: correction.type.rawValue,
                stack: correction.stack, recorded: words(correction.type, correction.recorded),
                corrected: words(correction.type, correction.corrected), reason: correction.reason,
                actor: correction.actor ?? "", observedAt: correction.at,
                late: state.completedSeq.map { correction.seq > $0 } ?? false)
        }
    }

    /// A payload in words; one that no longer decodes (it was admitted, so only an older build's) as its JSON.
    static func words(_ type: EventType, _ payload: JSONValue) -> String {
        do { return try DomainEvent.decodeMarked(type: type.rawValue, data: payload).event.summary } catch {
            return payload.canonicalText
        }
    }

    /// Each late entry and the changed rules its seq (or the seq it corrects) is evidence in, before or now;
    /// a changed rule that names no late entry in its evidence is listed on every late entry, as they changed it together.
    static func lateEntries(
        _ state: SiteState, findings: [Finding], readings: [ReportReading]
    ) -> [ReportLateEntry] {
        guard !state.lateEntries.isEmpty else { return [] }
        let effects = Rules.lateEntryEffects(state)
        let before = state.stateAtCompletion.map(Rules.evaluate) ?? []
        func evidence(_ rule: String) -> Set<Int64> {
            Set((findings + before).filter { $0.rule == rule }.flatMap(\.evidence))
        }
        func touches(_ entry: LateEntry, _ effect: LateEffect) -> Bool {
            let seqs = evidence(effect.rule)
            return seqs.contains(entry.seq) || entry.corrects.map(seqs.contains) == true
        }
        let unattributed = effects.filter { effect in !state.lateEntries.contains { touches($0, effect) } }
        let text = Dictionary(readings.map { ($0.seq, $0.text) }, uniquingKeysWith: { first, _ in first })
        return state.lateEntries.map { entry in
            ReportLateEntry(
                seq: entry.seq, type: entry.type.rawValue, stack: entry.stack, corrects: entry.corrects,
                text: text[entry.seq] ?? entry.type.rawValue,
                changedRules: effects.filter { touches(entry, $0) || unattributed.contains($0) })
        }
    }

    /// Every event in words; a step reads as its title, an event of another vocabulary as its type and payload.
    static func readings(_ events: [LoggedEvent], procedure: Procedure?) -> [ReportReading] {
        events.map { event in
            let text: String
            do {
                switch try DomainEvent.decode(event) {
                case .stepCompleted(let step):
                    text = "step done: " + (procedure?.steps.first { $0.id == step.step }?.title ?? step.step)
                case let decoded: text = decoded.summary
                }
            } catch {
                // Not one of the domain's types (a generic event): its own words are its type and payload.
                text = "\(event.type) \(event.payload)"
            }
            let gap = event.observedAt.millisecondsSinceEpoch - event.recordedAt.millisecondsSinceEpoch
            return ReportReading(
                seq: event.seq, observedAt: event.observedAt, actor: event.actor, stack: event.stack, type: event.type,
                text: text, clockGapSeconds: abs(gap) > ReportReading.clockGapThresholdMilliseconds ? gap / 1000 : nil)
        }
    }

    /// A visit runs from each `procedure.started` or `procedure.reopened` (a corrective visit) to the next
    /// `procedure.completed` or `procedure.aborted`.
    static func visits(_ events: [LoggedEvent]) -> [ReportVisit] {
        var visits: [ReportVisit] = []
        for event in events {
            switch event.type {
            case EventType.procedureStarted.rawValue, EventType.procedureReopened.rawValue:
                visits.append(
                    ReportVisit(
                        startSeq: event.seq, startedAt: event.observedAt, outcome: "open", actors: [event.actor]))
            case EventType.procedureCompleted.rawValue, EventType.procedureAborted.rawValue:
                guard let last = visits.indices.last, visits[last].endSeq == nil else { continue }
                visits[last].endSeq = event.seq
                visits[last].endedAt = event.observedAt
                visits[last].outcome = event.type == EventType.procedureCompleted.rawValue ? "completed" : "aborted"
                if !visits[last].actors.contains(event.actor) { visits[last].actors.append(event.actor) }
            default:
                guard let last = visits.indices.last, visits[last].endSeq == nil,
                    !visits[last].actors.contains(event.actor)
                else { continue }
                visits[last].actors.append(event.actor)
            }
        }
        return visits
    }

    /// The site's photos in log order; one with a known image kind gets a file name for its copy.
    static func photos(_ events: [LoggedEvent]) throws(ReportError) -> [ReportPhoto] {
        var photos: [ReportPhoto] = []
        for event in events where event.type == EventType.photoAttached.rawValue {
            let decoded: DomainEvent
            do { decoded = try DomainEvent.decode(event) } catch { throw .domain(.inEvent(seq: event.seq, error)) }
            guard case .photoAttached(let photo) = decoded else { continue }
            // Only a canonical digest names a file, so no payload can steer a write outside photos/.
            var file: String?
            if let kind = PhotoKind(mediaType: photo.mediaType), let digest = Digest(hex: photo.sha256),
                digest.hex == photo.sha256
            {
                file = "\(ReportPhoto.folder)/\(digest.hex).\(kind.fileExtension)"
            }
            photos.append(
                ReportPhoto(
                    seq: event.seq, stack: event.stack, name: photo.name, caption: photo.caption,
                    sha256: photo.sha256, file: file))
        }
        return photos
    }

    /// The bytes of every photo the report folder must hold, read from the log's evidence store.
    public static func photoFiles(_ report: Report, store: any EventStore) throws(ReportError) -> [PhotoCopy] {
        var copies: [PhotoCopy] = []
        for photo in report.photos {
            guard let file = photo.file else { continue }
            guard let digest = Digest(hex: photo.sha256) else {
                throw .rejected("photo seq \(photo.seq): '\(photo.sha256)' is not a SHA-256")
            }
            let bytes: [UInt8]?
            do { bytes = try store.evidence(digest) } catch { throw .log(error) }
            guard let bytes else { throw .missingPhoto(seq: photo.seq, sha256: photo.sha256) }
            copies.append(PhotoCopy(file: file, bytes: bytes))
        }
        return copies
    }

    static func stack(_ state: StackState) -> ReportStack {
        ReportStack(
            id: state.id, serial: state.serial, order: state.order, firmwareBefore: state.versionBefore?.value,
            firmwareAfter: state.versionAfter?.value,
            addr: DIPChange(original: state.addr.original?.value.description, final: state.addr.now?.value.description),
            inv: DIPChange(original: state.inv.original?.value.description, final: state.inv.now?.value.description))
    }
}
