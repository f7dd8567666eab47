import AuditCrypto
import AuditDomain
import AuditLog
import Foundation

/// Checks a report folder with nothing but its public key: signature, canonical form, chain, proofs, verdicts.
public enum ReportVerifier {
    /// Reads the folder's report.json and report.json.sig and runs every check; returns the verified report.
    public static func verify(directory: URL, publicKey: Ed25519PublicKey) throws(ReportError) -> Report {
        let json = try read(directory.appendingPathComponent(ReportDirectory.jsonName))
        let signature = try read(directory.appendingPathComponent(ReportDirectory.signatureName))
        let report = try verify(json: json, signature: signature, publicKey: publicKey)
        // report.html is not signed, but it is what an auditor reads: it must be exactly the verified report's page.
        let html = try read(directory.appendingPathComponent(ReportDirectory.htmlName))
        guard html.elementsEqual(try HTMLRenderer.render(report).utf8) else {
            throw .rejected("report.html does not match report.json: it is not the page the signed report renders to")
        }
        try checkPhotos(report, in: directory)
        try checkProofs(report, in: directory)
        return report
    }

    /// Each tlog-proof file is exactly the one the verified report derives: same path, same inclusion, same note.
    static func checkProofs(_ report: Report, in directory: URL) throws(ReportError) {
        for proof in report.tlogProofs {
            let bytes = try read(directory.appendingPathComponent(proof.file))
            guard bytes.elementsEqual(proof.text.utf8) else {
                throw .rejected("\(proof.file) does not match report.json: it is not the proof the report derives")
            }
        }
    }

    public static func verify(json: [UInt8], signature: [UInt8], publicKey: Ed25519PublicKey) throws(ReportError)
        -> Report
    {
        let value: JSONValue
        do { value = try JSONValue(parsing: json) } catch {
            // Unparseable bytes cannot carry a valid signature by an honest signer; say which failed first.
            try checkSignature(json, signature, publicKey, claimedKeyID: nil)
            throw .malformed("\(error)")
        }
        try checkSignature(json, signature, publicKey, claimedKeyID: value["key_id"]?.stringValue)
        guard value.canonicalText.utf8.elementsEqual(json) else {
            throw .rejected("report.json is not canonical JSON (RFC 8785): re-serialising it changes its bytes")
        }
        let inputs = try ReportInputs(json: value)
        guard inputs.keyID == publicKey.keyID else {
            throw .rejected("report.json names signing key \(inputs.keyID) but was signed by key \(publicKey.keyID)")
        }
        try checkEvents(inputs)
        try checkWitnessing(inputs, publicKey: publicKey)
        let replayed: Report
        do { replayed = try ReportBuilder.build(inputs) } catch {
            throw .rejected("replaying the embedded events fails: \(error)")
        }
        try compare(claimed: value, replayed: replayed.json)
        return replayed
    }

    /// Each photo copy must be in the folder and hash to the SHA-256 its signed event names.
    static func checkPhotos(_ report: Report, in directory: URL) throws(ReportError) {
        for photo in report.photos {
            guard let file = photo.file else { continue }
            let bytes: [UInt8]
            do { bytes = Array(try Data(contentsOf: directory.appendingPathComponent(file))) } catch {
                throw .rejected("photo seq \(photo.seq): \(file) is missing from the report folder")
            }
            guard SHA256.hash(bytes).hex == photo.sha256 else {
                throw .rejected("photo seq \(photo.seq): \(file) was altered: it does not hash to \(photo.sha256)")
            }
        }
    }

    static func read(_ url: URL) throws(ReportError) -> [UInt8] {
        guard FileManager.default.fileExists(atPath: url.path) else { throw .missingFile(path: url.path) }
        do { return Array(try Data(contentsOf: url)) } catch {
            throw .fileSystem(operation: "read", path: url.path, reason: "missing or unreadable")
        }
    }

    static func checkSignature(
        _ json: [UInt8], _ signature: [UInt8], _ key: Ed25519PublicKey, claimedKeyID: String?
    ) throws(ReportError) {
        guard signature.count == Ed25519PublicKey.signatureLength else {
            throw .rejected(
                "report.json.sig is \(signature.count) bytes; a raw Ed25519 signature is exactly 64 bytes")
        }
        guard key.verify(signature: signature, message: json) else {
            if let claimedKeyID, claimedKeyID != key.keyID {
                throw .rejected(
                    "signature does not match report.json: the report names key \(claimedKeyID), "
                        + "the public key given is \(key.keyID)")
            }
            throw .rejected("signature does not match report.json")
        }
    }

    /// Each event hashes to its own `hash`, links to the embedded event before it, and is under the root.
    static func checkEvents(_ inputs: ReportInputs) throws(ReportError) {
        let checkpoint = inputs.checkpoint
        guard checkpoint.genesis == ChainHash.genesis(logID: checkpoint.logID) else {
            throw .rejected("checkpoint genesis is not the genesis hash of log id \(checkpoint.logID)")
        }
        var previous: LoggedEvent?
        for proven in inputs.events {
            let event = proven.event
            func reject(_ reason: String) -> ReportError { .rejected("event seq \(event.seq): \(reason)") }
            if let previous, event.seq <= previous.seq { throw reject("is out of order or repeated") }
            guard event.site == inputs.site else { throw reject("belongs to site '\(event.site)', not this report's") }
            guard event.seq >= 1, event.seq <= checkpoint.size else {
                throw reject("lies outside the checkpoint's \(checkpoint.size) events")
            }
            guard ChainHash.hash(of: event) == event.hash else { throw reject("hash does not match its columns") }
            if event.seq == 1, event.prevHash != checkpoint.genesis {
                throw reject("prev_hash is not the log's genesis hash")
            }
            if let previous, previous.seq == event.seq - 1, event.prevHash != previous.hash {
                throw reject("prev_hash does not link to event seq \(previous.seq)")
            }
            if event.seq == checkpoint.size, event.hash != checkpoint.head {
                throw reject("hash is not the checkpoint head")
            }
            guard proven.verifies(against: checkpoint) else {
                throw reject("inclusion proof does not verify against the checkpoint root")
            }
            previous = event
        }
    }

    /// Every field of report.json must equal the replay's; findings are compared rule by rule first.
    static func compare(claimed: JSONValue, replayed: JSONValue) throws(ReportError) {
        let claimedFields = claimed.objectValue ?? [:]
        let replayedFields = replayed.objectValue ?? [:]
        let claimedFindings = claimedFields["findings"]?.arrayValue ?? []
        var byRule: [String: JSONValue] = [:]
        for finding in claimedFindings {
            guard let rule = finding["rule"]?.stringValue else {
                throw .rejected("a finding in report.json has no rule id")
            }
            byRule[rule] = finding
        }
        let replayedFindings = replayedFields["findings"]?.arrayValue ?? []
        for finding in replayedFindings {
            let rule = finding["rule"]?.stringValue ?? "?"
            guard let said = byRule.removeValue(forKey: rule) else {
                throw .rejected("rule \(rule): missing from the report, replay says \(verdict(finding))")
            }
            if verdict(said) != verdict(finding) {
                throw .rejected("rule \(rule): report says \(verdict(said)), replay says \(verdict(finding))")
            }
            if said != finding {
                throw .rejected("rule \(rule): the report's title, message or evidence differs from the replay")
            }
        }
        if let extra = byRule.keys.sorted().first { throw .rejected("rule \(extra): not a rule this audit knows") }
        if claimedFindings != replayedFindings { throw .rejected("findings are not in the replay's order") }
        if claimedFields["verdict"] != replayedFields["verdict"] {
            throw .rejected(
                "overall verdict: report says \(claimedFields["verdict"]?.stringValue ?? "nothing"), "
                    + "replay says \(replayedFields["verdict"]?.stringValue ?? "nothing")")
        }
        for key in Set(claimedFields.keys).union(replayedFields.keys).sorted()
        where claimedFields[key] != replayedFields[key] {
            if claimedFields[key] == nil { throw .rejected("field '\(key)' is missing from report.json") }
            if replayedFields[key] == nil { throw .rejected("report.json has an unknown field '\(key)'") }
            throw .rejected("field '\(key)' does not match the replay of the embedded events")
        }
    }

    private static func verdict(_ finding: JSONValue) -> String { finding["verdict"]?.stringValue ?? "nothing" }
}
