import AuditCollector
import AuditCore
import AuditCrypto
import AuditLog
import AuditReports
import AuditSyncProtocol

/// A synced site's report, derived by AuditReports from the collector's copy of the log and signed with the
/// collector's key: an auditor who trusts only that key checks it with `audit verify-report --pubkey`.
public enum CollectorReport {
    /// Proves the site's events against the latest cosigned checkpoint that holds them all (embedding the
    /// collector's cosignature), else against every held event, unwitnessed; then builds and signs.
    public static func signed(collector: Collector, logID: String, site: String) async throws(SyncError)
        -> SignedReport
    {
        try LogID.check(logID)
        guard let key = collector.reportKey else { throw .forbidden("this collector was started without a key") }
        let store = collector.store
        guard let state = try await store.state(logID: logID) else { throw .unknownLog(logID) }
        guard !state.forked else {
            throw .conflict(
                "log \(logID) was rewritten after an earlier sync (fork): the collector signs no report of it")
        }
        let events = try await store.events(logID: logID, site: site)
        guard let last = events.last else { throw .unknownSite(site: site, logID: logID) }
        let stored = try await store.latestCheckpoint(logID: logID).flatMap { $0.size >= last.seq ? $0 : nil }
        let size = stored?.size ?? state.size
        let leaves = try await store.leafHashes(logID: logID, size: size)
        guard leaves.count == Int(size) else {
            throw .storage("log \(logID) holds \(leaves.count) of the checkpoint's \(size) events")
        }
        let levels = MerkleTree.Levels(leafHashes: leaves)
        if let stored, stored.root != levels.root {
            throw .storage("the stored checkpoint of size \(size) is not the root of the held events")
        }
        let checkpoint = Checkpoint(
            logID: logID, genesis: ChainHash.genesis(logID: logID), size: size, head: stored?.head ?? state.head,
            root: levels.root)
        var proven: [ProvenEvent] = []
        for event in events {
            do {
                proven.append(ProvenEvent(event: event, proof: try levels.inclusionProof(index: Int(event.seq - 1))))
            } catch { throw .storage("no inclusion proof for seq \(event.seq): \(error)") }
        }
        let signer: NoteSigner
        do { signer = try NoteSigner(name: TlogCheckpoint.origin(logID: logID), privateKey: key) } catch {
            throw .malformed(error.message)
        }
        var cosignatures: [CosignedCheckpoint] = []
        if let stored, let own = try cosigned(stored, by: collector) { cosignatures.append(own) }
        let witnessing = ReportWitnessing.embedding(
            checkpoint, signer: signer, cosignatures: cosignatures, history: [])
        let inputs = ReportInputs(
            site: site, generatedAt: Timestamp(millisecondsSinceEpoch: collector.now() * 1000), checkpoint: checkpoint,
            keyID: key.keyID, events: proven, witnessing: witnessing)
        let signed: SignedReport
        do { signed = try ReportSigner.sign(try ReportBuilder.build(inputs), with: key) } catch {
            throw .conflict("site '\(site)' makes no report: \(error.message)")
        }
        // The collector holds photos by hash only: a folder without their bytes would not verify.
        if let photo = signed.report.photos.first(where: { $0.file != nil }) {
            throw .conflict(
                "site '\(site)' has photos (seq \(photo.seq)) whose bytes only the laptop holds: write its report there"
            )
        }
        return signed
    }

    /// The collector's own cosignature of a stored checkpoint, as a witness's stored cosignature reads; nil when
    /// the collector cosigned it under an earlier key.
    static func cosigned(_ stored: StoredCheckpoint, by collector: Collector) throws(SyncError) -> CosignedCheckpoint? {
        let key = collector.signer.verifierKey
        let note: SignedNote
        do { note = try SignedNote(parsing: Array(stored.note.utf8)) } catch {
            throw .storage("the stored checkpoint note does not parse: \(error.message)")
        }
        guard let line = note.signatures.first(where: { $0.name == key.name && $0.keyID == key.keyID }),
            let cosignature = Cosignature.verify(line, text: note.text, key: key)
        else { return nil }
        return CosignedCheckpoint(
            witness: key, size: stored.size, root: stored.root, cosignedAt: cosignature.timestamp, note: note)
    }
}
