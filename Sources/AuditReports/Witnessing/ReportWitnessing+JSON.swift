import AuditCrypto
import AuditLog
import Foundation

/// `witnessing` in report.json: the inputs (note, witness keys, history) and what is derived from them.
extension ReportWitnessing {
    var json: JSONValue {
        [
            "status": .string(status.rawValue),
            "note": .string(note.serialized),
            "cosignatures": .array(
                cosignatures.map {
                    [
                        "witness": .string($0.witness.name), "verifier_key": .string($0.witness.description),
                        "cosigned_at": .integer(Int64(clamping: $0.cosignedAt)),
                        "cosigned_at_utc": .string($0.time.rfc3339),
                    ]
                }),
            "history": .array(
                history.map {
                    [
                        "verifier_key": .string($0.cosigned.witness.description), "size": .integer($0.cosigned.size),
                        "root": .string($0.cosigned.root.hex),
                        "cosigned_at": .integer(Int64(clamping: $0.cosigned.cosignedAt)),
                        "note": .string($0.cosigned.note.serialized),
                        "consistency": .array($0.consistency.map { .string($0.hex) }),
                    ]
                }),
        ]
    }

    init(json fields: JSONFields) throws(ReportError) {
        let note = try Self.note(try fields.string("note"), path: "\(fields.path).note")
        let witnesses = try fields.array("cosignatures").enumerated().map { (index, value) throws(ReportError) in
            try Self.key(try JSONFields(value, path: "\(fields.path).cosignatures[\(index)]").string("verifier_key"))
        }
        let history = try fields.array("history").enumerated().map { (index, value) throws(ReportError) in
            let entry = try JSONFields(value, path: "\(fields.path).history[\(index)]")
            let cosignedAt = try entry.integer("cosigned_at")
            guard cosignedAt >= 0 else { throw ReportError.malformed("\(entry.path).cosigned_at is negative") }
            return WitnessedCheckpoint(
                cosigned: CosignedCheckpoint(
                    witness: try Self.key(try entry.string("verifier_key")), size: try entry.integer("size"),
                    root: try entry.digest("root"), cosignedAt: UInt64(cosignedAt),
                    note: try Self.note(try entry.string("note"), path: "\(entry.path).note")),
                consistency: try entry.array("consistency").enumerated().map { (step, value) throws(ReportError) in
                    guard let text = value.stringValue, let digest = Digest(hex: text) else {
                        throw ReportError.malformed(
                            "\(entry.path).consistency[\(step)] must be 64 lowercase hex characters")
                    }
                    return digest
                })
        }
        self.init(note: note, witnesses: witnesses, history: history)
    }

    static func note(_ text: String, path: String) throws(ReportError) -> SignedNote {
        do { return try SignedNote(parsing: Array(text.utf8)) } catch { throw .malformed("\(path): \(error)") }
    }

    static func key(_ text: String) throws(ReportError) -> NoteVerifierKey {
        do { return try NoteVerifierKey(parsing: text) } catch { throw .malformed("witness key '\(text)': \(error)") }
    }
}
