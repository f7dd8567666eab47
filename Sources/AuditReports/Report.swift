import AuditCrypto
import AuditDomain
import AuditLog

/// A completion report: what a site's log shows, the rules' verdicts, and the events that prove both.
public struct Report: Sendable, Hashable {
    public static let formatVersion = "audit-report-v1"

    public var generatedAt: Timestamp
    public var site: String
    public var procedure: ReportProcedure?
    public var stacks: [ReportStack]
    /// Failing first, then unverifiable, then passing, as `Rules.evaluate` orders them.
    public var findings: [Finding]
    public var verdict: Verdict
    /// Whether the record is of a simulation; a simulated PASS is never evidence of work on a site.
    public var mode: ReportMode = .notRecorded
    public var timeline: [TimelineEntry]
    /// Every photo attached at the site, in log order; the report folder holds a copy of each with a `file`.
    public var photos: [ReportPhoto] = []
    /// Every event of the site in log order, in words, with who recorded it and when.
    public var readings: [ReportReading] = []
    /// Each run of the procedure: from its `procedure.started` to its end.
    public var visits: [ReportVisit] = []
    /// Every correction of an observation, in log order: the mistaken event stays, the rules read the correction.
    public var corrections: [ReportCorrection] = []
    /// Every event logged after the procedure completed, with the rules whose verdict it changed.
    public var lateEntries: [ReportLateEntry] = []
    public var logID: String
    public var checkpoint: Checkpoint
    public var keyID: String
    public var events: [ProvenEvent]
    /// The signed checkpoint note, its cosignatures and the earlier cosigned checkpoints; `status` says whether
    /// any witness cosigned it.
    public var witnessing: ReportWitnessing

    public var failingFindings: [Finding] { findings.filter { $0.verdict == .fail } }
}

/// The procedure followed and the firmware pushed, as `procedure.started` recorded them.
public struct ReportProcedure: Sendable, Hashable {
    public var id: String
    public var version: String
    public var targetVersion: String
    public var imageSHA256: String
    public var imageName: String
    /// How pushes were made, and the device model, when `procedure.started` recorded them.
    public var transport: String? = nil
    public var deviceModel: String? = nil
    /// Who did the work and for which company, when the log's installer was set as the run started.
    public var installer: String? = nil
    public var company: String? = nil
}

/// One stack's identity and its before/after facts.
public struct ReportStack: Sendable, Hashable {
    public var id: String
    public var serial: String?
    public var order: Int?
    public var firmwareBefore: String?
    public var firmwareAfter: String?
    public var addr: DIPChange
    public var inv: DIPChange
}

/// A DIP bank as first recorded and as last observed, in `UDDDDD` form.
public struct DIPChange: Sendable, Hashable {
    public var original: String?
    public var final: String?

    /// Nil when either end was never observed, so restoration cannot be judged from this row.
    public var restored: Bool? {
        guard let original, let final else { return nil }
        return original == final
    }
}

/// One event of the site as a person reads it; `seq` is the anchor the findings' evidence links to.
public struct ReportReading: Sendable, Hashable {
    public var seq: Int64
    public var observedAt: Timestamp
    public var actor: String
    public var stack: String?
    public var type: String
    public var text: String
    /// Seconds from `recorded_at` to `observed_at` when they differ by more than a minute: a time typed by hand.
    public var clockGapSeconds: Int64?
    /// When a witness first cosigned a checkpoint holding this event; nil when none has.
    public var firstWitnessedAt: Timestamp? = nil

    /// Past this gap a reading's observed time is shown as a claim, not as the laptop's stamp.
    public static let clockGapThresholdMilliseconds: Int64 = 60_000
}

/// One run of the procedure at the site.
public struct ReportVisit: Sendable, Hashable {
    public var startSeq: Int64
    public var startedAt: Timestamp
    /// The `procedure.completed` or `procedure.aborted` that ended it; nil while it is still open.
    public var endSeq: Int64?
    public var endedAt: Timestamp?
    public var outcome: String
    /// Everyone who recorded an event of this visit, in order of first appearance.
    public var actors: [String]

    public var durationSeconds: Int64? {
        endedAt.map { ($0.millisecondsSinceEpoch - startedAt.millisecondsSinceEpoch) / 1000 }
    }
}

/// A correction as the page lists it: what was recorded, what it became, why, by whom and when.
public struct ReportCorrection: Sendable, Hashable {
    public var seq: Int64
    public var corrects: Int64
    public var type: String
    public var stack: String?
    /// The superseded value in words (the original, or an earlier correction's value).
    public var recorded: String
    public var corrected: String
    public var reason: String
    public var actor: String
    public var observedAt: Timestamp
    /// Whether it was logged after the procedure completed (it is then also a late entry).
    public var late: Bool
}

/// An event logged after `procedure.completed`: accepted, since the truth may come late, but never silently.
public struct ReportLateEntry: Sendable, Hashable {
    public var seq: Int64
    public var type: String
    public var stack: String?
    /// The seq it corrects, for a late correction.
    public var corrects: Int64?
    public var text: String
    /// The rules whose verdict on the state at completion differs from their verdict now, because of this entry.
    public var changedRules: [LateEffect]
}

/// What the record is of, from the transport `procedure.started` names.
public enum ReportMode: String, Sendable, Hashable {
    /// The simulator made every push: nothing happened on a real site.
    case simulation
    /// Pushes by hand or by a flasher command: a visit to a site.
    case visit
    /// No `procedure.started`, or one recorded before the transport was (treat as unproven).
    case notRecorded = "not-recorded"

    init(_ transport: PushTransport?) {
        switch transport {
        case .sim?: self = .simulation
        case .manual?, .command?: self = .visit
        case nil: self = .notRecorded
        }
    }
}

/// A photo a `photo.attached` event names; its bytes are bound by `sha256`, which the signed event carries.
public struct ReportPhoto: Sendable, Hashable {
    public var seq: Int64
    public var stack: String?
    public var name: String
    public var caption: String?
    public var sha256: String
    /// `photos/<sha256>.<jpg|png>` inside the report folder, or nil for a photo the log knows by hash only.
    public var file: String?

    /// The folder inside a report that holds the photos' copies.
    public static let folder = "photos"
}

/// A completed procedure step, in log order.
public struct TimelineEntry: Sendable, Hashable {
    public var step: String
    public var title: String
    public var seq: Int64
    public var observedAt: Timestamp
    /// When a witness first cosigned a checkpoint holding this step's event; nil when none has.
    public var firstWitnessedAt: Timestamp? = nil
}

/// An event with its RFC 6962 audit path at leaf index `seq - 1` of the checkpoint's tree.
public struct ProvenEvent: Sendable, Hashable {
    public var event: LoggedEvent
    public var proof: [Digest]

    public init(event: LoggedEvent, proof: [Digest]) {
        self.event = event
        self.proof = proof
    }

    public var leafIndex: Int { Int(event.seq - 1) }

    /// Whether the event's chain hash sits at its leaf index under `checkpoint.root`.
    public func verifies(against checkpoint: Checkpoint) -> Bool {
        MerkleTree.verifyInclusion(
            leafHash: MerkleTree.leafHash(event.hash.rawBytes), index: leafIndex, treeSize: Int(checkpoint.size),
            proof: proof, root: checkpoint.root)
    }
}
