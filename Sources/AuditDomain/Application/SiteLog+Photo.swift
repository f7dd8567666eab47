import AuditCrypto
import AuditLog
import Foundation

extension SiteLog {
    /// Records a photo with a copy of its file: read whole, told JPEG or PNG by its bytes, stored with its event.
    ///
    /// Throws `FileReadError` (missing, unreadable, too large), `DomainError.notAPhoto`, or the log's refusal.
    public func attachPhoto(
        file path: String, site: String, stack: String?, caption: String?, observedAt: Timestamp? = nil,
        actor: String, eventID: UUID = .version7(), correcting: CorrectionMark? = nil
    ) throws -> (DomainEvent, AppendResult) {
        let bytes = try FileContents.read(at: path, limit: SQLiteEventStore.maximumEvidenceSize)
        let kind = try PhotoKind(sniffing: bytes, name: path)
        let event = DomainEvent.photoAttached(
            PhotoAttached(
                sha256: SHA256.hash(bytes).hex, name: (path as NSString).lastPathComponent, mediaType: kind.rawValue,
                caption: caption))
        let result = try record(
            event, site: site, stack: stack, observedAt: observedAt, actor: actor, eventID: eventID,
            attaching: [bytes], correcting: correcting)
        return (event, result)
    }
}
