import AuditDomain
import AuditLog

/// Renders report.html from the embedded `reports/report.html.template`: a printable page with no scripts.
public enum HTMLRenderer {
    public static let templateName = "report.html.template"

    /// Parsed once; a broken template fails the first render with a one-line reason.
    static let template: Result<Template, ReportError> = {
        guard let file = EmbeddedTemplates.files.first(where: { $0.name == templateName }) else {
            return .failure(.template("\(templateName) is not embedded"))
        }
        return Result { () throws(ReportError) in try Template(file.contents) }
    }()

    public static func render(_ report: Report) throws(ReportError) -> String {
        try template.get().render(context(report))
    }

    static func context(_ report: Report) -> [String: TemplateValue] {
        let failing = report.failingFindings.count
        let total = report.findings.count
        let unverifiable = report.findings.filter { $0.verdict == .unverifiable }.count
        let notRecorded = "not recorded"
        return [
            "verdict": .text(report.verdict.rawValue),
            "verdict_upper": .text(report.verdict.rawValue.uppercased()),
            "mode": .text(report.mode.rawValue),
            "mode_text": .text(modeText(report)),
            "banner_class": .text(report.mode == .simulation ? "simulated" : report.verdict.rawValue),
            "banner_word": .text(report.mode == .simulation ? "SIMULATED" : report.verdict.rawValue.uppercased()),
            "verdict_statement": .text(statement(report)),
            "rule_summary": .text(
                "\(total - failing - unverifiable) of \(total) rules pass, \(failing) fail, "
                    + "\(unverifiable) cannot be decided from the log. Failing rules are listed first."),
            "site": .text(report.site),
            "generated_at": .text(report.generatedAt.rfc3339),
            "procedure": .text(report.procedure.map { "\($0.id), version \($0.version)" } ?? notRecorded),
            "target_version": .text(report.procedure?.targetVersion ?? notRecorded),
            "image_name": .text(report.procedure?.imageName ?? notRecorded),
            "image_sha256": .text(report.procedure?.imageSHA256 ?? notRecorded),
            "key_id": .text(report.keyID),
            "installer": .text(report.procedure?.installer ?? notRecorded),
            "company": .text(report.procedure?.company ?? notRecorded),
            "log_id": .text(report.logID),
            "checkpoint_size": .text(String(report.checkpoint.size)),
            "checkpoint_head": .text(report.checkpoint.head.hex),
            "checkpoint_root": .text(report.checkpoint.root.hex),
            "event_count": .text(String(report.events.count)),
            "stacks": .list(report.stacks.map { stack($0, target: report.procedure?.targetVersion) }),
            "findings": .list(report.findings.map(finding)),
            "has_photos": .when(!report.photos.isEmpty),
            // Beside their stack: grouped in the stacks' order, site-wide photos last, log order within a group.
            "photos": .list(photosByStack(report).map(photo)),
            "readings": .list(readingRows(report.readings)),
            "no_steps": .when(report.timeline.isEmpty),
            "visits": .list(report.visits.map(visit)),
            "no_visits": .when(report.visits.isEmpty),
            "has_corrections": .when(!report.corrections.isEmpty),
            "corrections": .list(report.corrections.map(correction)),
            "not_witnessed": .when(report.witnessing.status == .notWitnessed),
            "cosignatures": .list(
                report.witnessing.cosignatures.map {
                    [
                        "name": .text($0.witness.name), "time": .text($0.time.rfc3339),
                        "vkey": .text($0.witness.description),
                    ]
                }),
            "witness_parts": .list(witnessParts(report.readings)),
            "has_late_entries": .when(!report.lateEntries.isEmpty),
            "late_entries": .list(report.lateEntries.map(lateEntry)),
        ]
    }

    static func modeText(_ report: Report) -> String {
        let transport = report.procedure?.transport.map { " (pushes: \($0))" } ?? ""
        switch report.mode {
        case .simulation: return "a SIMULATION, not a site visit: no real stack was touched\(transport)"
        case .visit: return "a site visit\(transport)"
        case .notRecorded: return "not recorded: the log does not say whether pushes were simulated"
        }
    }

    /// The banner's sentence: says plainly when the work failed and which rules it broke.
    static func statement(_ report: Report) -> String {
        if report.mode == .simulation {
            return "This is a simulation, not a record of work on a site. Its rules give \(report.verdict.rawValue), "
                + "which proves nothing about any real stack."
        }
        switch report.verdict {
        case .pass: return "Every rule passes: the log shows the procedure was followed on every stack."
        case .fail:
            let rules = report.failingFindings.map(\.rule).joined(separator: ", ")
            return "The work FAILED \(report.failingFindings.count) of \(report.findings.count) rules: \(rules)."
        case .unverifiable:
            return "No rule fails, but the log lacks the observations to decide every rule."
        }
    }

    /// A stack left on `0000` (a bricked module) or off the target version is marked like a switch not restored.
    static func firmwareClass(_ after: String?, target: String?) -> String {
        guard let after else { return "unknown" }
        if after == "0000" { return "bad" }
        if let target, after != target { return "bad" }
        return "ok"
    }

    static func stack(_ stack: ReportStack, target: String?) -> [String: TemplateValue] {
        func restoredCells(_ prefix: String, _ change: DIPChange) -> [String: TemplateValue] {
            let (status, cssClass) =
                switch change.restored {
                case true?: ("restored", "ok")
                case false?: ("NOT restored", "bad")
                case nil: ("unknown", "unknown")
                }
            return [
                "\(prefix)_original": .text(change.original ?? "—"), "\(prefix)_final": .text(change.final ?? "—"),
                "\(prefix)_status": .text(status), "\(prefix)_class": .text(cssClass),
            ]
        }
        var cells: [String: TemplateValue] = [
            "id": .text(stack.id), "serial": .text(stack.serial ?? "—"),
            "order": .text(stack.order.map(String.init) ?? "—"),
            "firmware_before": .text(stack.firmwareBefore ?? "—"), "firmware_after": .text(stack.firmwareAfter ?? "—"),
            "firmware_class": .text(firmwareClass(stack.firmwareAfter, target: target)),
        ]
        cells.merge(restoredCells("addr", stack.addr)) { _, new in new }
        cells.merge(restoredCells("inv", stack.inv)) { _, new in new }
        return cells
    }

    static func photosByStack(_ report: Report) -> [ReportPhoto] {
        let order = Dictionary(report.stacks.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        return report.photos.enumerated().sorted { left, right in
            let l = left.element.stack.flatMap { order[$0] } ?? order.count
            let r = right.element.stack.flatMap { order[$0] } ?? order.count
            return (l, left.offset) < (r, right.offset)
        }.map(\.element)
    }

    static func photo(_ photo: ReportPhoto) -> [String: TemplateValue] {
        [
            "seq": .text(String(photo.seq)), "stack": .text(photo.stack ?? "site"), "sha256": .text(photo.sha256),
            "caption_or_name": .text(photo.caption ?? (photo.name.isEmpty ? "photo" : photo.name)),
            "file": .text(photo.file ?? ""), "has_file": .when(photo.file != nil), "no_file": .when(photo.file == nil),
        ]
    }

    /// Rows show the time of day, and the date only where it changes, so a reading stays on one printed line.
    static func readingRows(_ readings: [ReportReading]) -> [[String: TemplateValue]] {
        var lastDate = ""
        var lastActor: String?
        return readings.map { reading in
            let stamp = reading.observedAt.rfc3339
            let date = String(stamp.prefix(10))
            let time = String(stamp.dropFirst(11).prefix(8))
            var row = Self.reading(reading)
            row["when"] = .text(date == lastDate ? time : "\(date) \(time)")
            row["actor"] = .text(reading.actor == lastActor ? "" : reading.actor)
            lastDate = date
            lastActor = reading.actor
            return row
        }
    }

    static func reading(_ reading: ReportReading) -> [String: TemplateValue] {
        [
            "seq": .text(String(reading.seq)), "observed_at": .text(reading.observedAt.rfc3339),
            "stack": .text(reading.stack ?? ""), "text": .text(reading.text), "actor": .text(reading.actor),
            "gap": .when(reading.clockGapSeconds != nil),
            "gap_text": .text(reading.clockGapSeconds.map { duration(-$0) + ($0 < 0 ? " after" : " before") } ?? ""),
        ]
    }

    /// The timeline in parts that a witness first saw together: "seq 1–38: recorded on site 10:02 → 10:40,
    /// first witnessed 10:41", or "witnessed 3 days later"; none when nothing was witnessed.
    static func witnessParts(_ readings: [ReportReading]) -> [[String: TemplateValue]] {
        guard readings.contains(where: { $0.firstWitnessedAt != nil }) else { return [] }
        var parts: [[ReportReading]] = []
        for reading in readings {
            if let last = parts.last?.last, last.firstWitnessedAt == reading.firstWitnessedAt {
                parts[parts.count - 1].append(reading)
            } else {
                parts.append([reading])
            }
        }
        return parts.compactMap { part -> [String: TemplateValue]? in
            guard let first = part.first, let last = part.last else { return nil }
            let seqs = first.seq == last.seq ? "\(first.seq)" : "\(first.seq)–\(last.seq)"
            let recorded =
                first.seq == last.seq
                ? clock(first.observedAt) : "\(clock(first.observedAt)) → \(clock(last.observedAt))"
            guard let witnessed = first.firstWitnessedAt else {
                return [
                    "seqs": .text(seqs), "recorded": .text(recorded), "witnessed": .text("not witnessed yet"),
                    "class": .text("bad"),
                ]
            }
            let days = (witnessed.millisecondsSinceEpoch - last.observedAt.millisecondsSinceEpoch) / 86_400_000
            let text =
                days >= 1
                ? "witnessed \(days) \(days == 1 ? "day" : "days") later (\(witnessed.rfc3339))"
                : "first witnessed \(clock(witnessed))"
            return [
                "seqs": .text(seqs), "recorded": .text(recorded), "witnessed": .text(text),
                "class": .text(days >= 1 ? "unknown" : "ok"),
            ]
        }
    }

    /// "10:02:17" for a time of day; the page's dates are in the readings.
    static func clock(_ time: Timestamp) -> String { String(time.rfc3339.dropFirst(11).prefix(8)) }

    static func correction(_ correction: ReportCorrection) -> [String: TemplateValue] {
        [
            "seq": .text(String(correction.seq)), "corrects": .text(String(correction.corrects)),
            "stack": .text(correction.stack ?? ""), "recorded": .text(correction.recorded),
            "corrected": .text(correction.corrected), "reason": .text(correction.reason),
            "actor": .text(correction.actor), "observed_at": .text(correction.observedAt.rfc3339),
            "late": .when(correction.late),
        ]
    }

    static func lateEntry(_ entry: ReportLateEntry) -> [String: TemplateValue] {
        [
            "seq": .text(String(entry.seq)), "stack": .text(entry.stack ?? ""), "text": .text(entry.text),
            "corrects": .list(entry.corrects.map { [["seq": .text(String($0))]] } ?? []),
            "rules": .list(
                entry.changedRules.map {
                    ["rule": .text($0.rule), "before": .text($0.before.rawValue), "after": .text($0.after.rawValue)]
                }),
            "no_rules": .when(entry.changedRules.isEmpty),
        ]
    }

    static func visit(_ visit: ReportVisit) -> [String: TemplateValue] {
        [
            "started_at": .text(visit.startedAt.rfc3339), "ended_at": .text(visit.endedAt?.rfc3339 ?? "not ended"),
            "duration": .text(visit.durationSeconds.map(duration) ?? "open"), "outcome": .text(visit.outcome),
            "actors": .text(visit.actors.joined(separator: ", ")),
        ]
    }

    /// "1 h 02 min", "3 min 05 s", "42 s": a visit's length at a glance.
    static func duration(_ seconds: Int64) -> String {
        let s = abs(seconds)
        func twoDigits(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        if s >= 3600 { return "\(s / 3600) h \(twoDigits((s % 3600) / 60)) min" }
        if s >= 60 { return "\(s / 60) min \(twoDigits(s % 60)) s" }
        return "\(s) s"
    }

    static func finding(_ finding: Finding) -> [String: TemplateValue] {
        [
            "verdict": .text(finding.verdict.rawValue), "rule": .text(finding.rule), "title": .text(finding.title),
            "message": .text(finding.message),
            "evidence": .list(finding.evidence.map { ["seq": .text(String($0))] }),
            "no_evidence": .when(finding.evidence.isEmpty),
        ]
    }
}
