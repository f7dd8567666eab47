import AuditCrypto
import AuditDomain
import AuditLog

/// The report.json object; its canonical (JCS) text is exactly the bytes that are signed.
extension Report {
    public var json: JSONValue {
        [
            "format": .string(Self.formatVersion),
            "generated_at": .string(generatedAt.rfc3339),
            "site": .string(site),
            "procedure": procedure?.json ?? .null,
            "stacks": .array(stacks.map(\.json)),
            "findings": .array(findings.map(\.json)),
            "verdict": .string(verdict.rawValue),
            "mode": .string(mode.rawValue),
            "timeline": .array(timeline.map(\.json)),
            "photos": .array(photos.map(\.json)),
            "readings": .array(readings.map(\.json)),
            "visits": .array(visits.map(\.json)),
            "corrections": .array(corrections.map(\.json)),
            "late_entries": .array(lateEntries.map(\.json)),
            "log_id": .string(logID),
            "checkpoint": Self.json(checkpoint),
            "key_id": .string(keyID),
            "events": .array(events.map(\.json)),
            "witnessing": witnessing.json,
        ]
    }

    /// The bytes of report.json: canonical JSON, no trailing newline.
    public var canonicalBytes: [UInt8] {
        var out: [UInt8] = []
        json.writeCanonical(into: &out)
        return out
    }

    static func json(_ checkpoint: Checkpoint) -> JSONValue {
        [
            "size": .integer(checkpoint.size), "head": .string(checkpoint.head.hex),
            "root": .string(checkpoint.root.hex), "genesis": .string(checkpoint.genesis.hex),
        ]
    }
}

extension ReportProcedure {
    var json: JSONValue {
        [
            "id": .string(id), "version": .string(version), "target_version": .string(targetVersion),
            "image_sha256": .string(imageSHA256), "image_name": .string(imageName),
            "transport": ReportStack.text(transport), "device_model": ReportStack.text(deviceModel),
            "installer": ReportStack.text(installer), "company": ReportStack.text(company),
        ]
    }
}

extension ReportStack {
    var json: JSONValue {
        [
            "id": .string(id), "serial": Self.text(serial), "order": order.map { .integer(Int64($0)) } ?? .null,
            "firmware_before": Self.text(firmwareBefore), "firmware_after": Self.text(firmwareAfter),
            "addr": ["original": Self.text(addr.original), "final": Self.text(addr.final)],
            "inv": ["original": Self.text(inv.original), "final": Self.text(inv.final)],
        ]
    }

    static func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
}

extension ReportReading {
    var json: JSONValue {
        [
            "seq": .integer(seq), "observed_at": .string(observedAt.rfc3339), "actor": .string(actor),
            "stack": ReportStack.text(stack), "type": .string(type), "text": .string(text),
            "clock_gap_seconds": clockGapSeconds.map(JSONValue.integer) ?? .null,
            "first_witnessed_at": firstWitnessedAt.map { .string($0.rfc3339) } ?? .null,
        ]
    }
}

extension ReportVisit {
    var json: JSONValue {
        [
            "start_seq": .integer(startSeq), "started_at": .string(startedAt.rfc3339),
            "end_seq": endSeq.map(JSONValue.integer) ?? .null,
            "ended_at": endedAt.map { .string($0.rfc3339) } ?? .null, "outcome": .string(outcome),
            "duration_seconds": durationSeconds.map(JSONValue.integer) ?? .null,
            "actors": .array(actors.map(JSONValue.string)),
        ]
    }
}

extension ReportCorrection {
    var json: JSONValue {
        [
            "seq": .integer(seq), "corrects": .integer(corrects), "type": .string(type),
            "stack": ReportStack.text(stack), "recorded": .string(recorded), "corrected": .string(corrected),
            "reason": .string(reason), "actor": .string(actor), "observed_at": .string(observedAt.rfc3339),
        ]
    }
}

extension ReportLateEntry {
    var json: JSONValue {
        [
            "seq": .integer(seq), "type": .string(type), "stack": ReportStack.text(stack),
            "corrects": corrects.map(JSONValue.integer) ?? .null, "text": .string(text),
            "changed_rules": .array(
                changedRules.map {
                    [
                        "rule": .string($0.rule), "before": .string($0.before.rawValue),
                        "after": .string($0.after.rawValue),
                    ]
                }),
        ]
    }
}

extension ReportPhoto {
    var json: JSONValue {
        [
            "seq": .integer(seq), "stack": ReportStack.text(stack), "name": .string(name),
            "caption": ReportStack.text(caption), "sha256": .string(sha256), "file": ReportStack.text(file),
        ]
    }
}

extension TimelineEntry {
    var json: JSONValue {
        [
            "step": .string(step), "title": .string(title), "seq": .integer(seq),
            "observed_at": .string(observedAt.rfc3339),
            "first_witnessed_at": firstWitnessedAt.map { .string($0.rfc3339) } ?? .null,
        ]
    }
}

extension ProvenEvent {
    /// Every column of the row, `payload` as the exact stored text, plus the audit path as hex.
    var json: JSONValue {
        [
            "seq": .integer(event.seq), "event_id": .string(event.eventID), "site": .string(event.site),
            "stack": event.stack.map(JSONValue.string) ?? .null, "type": .string(event.type),
            "payload": .string(event.payload), "observed_at": .string(event.observedAt.rfc3339),
            "recorded_at": .string(event.recordedAt.rfc3339), "actor": .string(event.actor),
            "prev_hash": .string(event.prevHash.hex), "hash": .string(event.hash.hex),
            "proof": .array(proof.map { .string($0.hex) }),
        ]
    }
}
