import AuditCrypto
import Foundation

extension ProcedureStarted {
    /// What `audit record start` records: the bundled procedure (the current one unless named), the approved
    /// image by its file (hashed here) or by a digest taken elsewhere, and how pushes are made.
    ///
    /// Throws `FileReadError` for an image that cannot be read, `DomainError` for an unknown procedure or a digest
    /// that is not 64 lowercase hex digits.
    public init(
        recording procedure: String?, version: String?, targetVersion: String, image: String?, imageSHA256: String?,
        transport: PushTransport, installer: String? = nil, company: String? = nil
    ) throws {
        let digest: String
        if let image {
            digest = try Digest.sha256(fileAt: image).hex
        } else {
            guard let text = imageSHA256, let parsed = Digest(hex: text), parsed.hex == text else {
                throw DomainError.invalidPayload(
                    type: EventType.procedureStarted.rawValue, reason: "'image_sha256' must be 64 lowercase hex digits")
            }
            digest = parsed.hex
        }
        let chosen = try Procedure.load(id: procedure, version: version)
        self.init(
            procedureID: chosen.id, procedureVersion: chosen.version, targetVersion: targetVersion,
            imageSHA256: digest, imageName: image.map { ($0 as NSString).lastPathComponent } ?? "",
            transport: transport, installer: installer, company: company)
    }
}
