import AuditCrypto
import AuditDomain
import AuditLog
import Foundation
import Testing

@testable import AuditReports

/// Photos: a copy stored in the log, written into the report folder, and checked by the verifier.
@Suite struct PhotoTests {
    static let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + Array("a photo of S2's ADDR bank".utf8)
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array("IHDR...".utf8)

    /// Attaches `bytes` as a photo of stack S2 through the admission gate, with the copy in the same transaction.
    static func attach(_ bytes: [UInt8], to fixture: borrowing ReportFixture, caption: String = "S2 after restore")
        throws -> Digest
    {
        let kind = try PhotoKind(sniffing: bytes, name: "p")
        let digest = SHA256.hash(bytes)
        let event = DomainEvent.photoAttached(
            PhotoAttached(
                sha256: digest.hex, name: "s2.\(kind.fileExtension)", mediaType: kind.rawValue, caption: caption))
        let draft = event.draft(site: "site-1", stack: "S2", observedAt: nil, actor: "tech", eventID: .version7())
        _ = try fixture.store.append([draft], attaching: [bytes], guard: SiteAdmission.check)
        return digest
    }

    static func write(_ fixture: borrowing ReportFixture) throws -> (URL, Report) {
        let report = try fixture.report()
        let signed = try ReportSigner.sign(report, with: fixture.key)
        let folder = fixture.directory.appending(path: "report")
        try ReportDirectory.write(signed, photos: ReportBuilder.photoFiles(report, store: fixture.store), to: folder)
        return (folder, report)
    }

    @Test(arguments: [(jpeg, PhotoKind.jpeg), (png, .png)])
    func aPhotoIsToldByItsBytes(bytes: [UInt8], kind: PhotoKind) throws {
        #expect(try PhotoKind(sniffing: bytes, name: "x") == kind)
    }

    @Test(arguments: [Array("GIF89a".utf8), Array("%PDF-1.7".utf8), [], [0xFF, 0xD8]])
    func aNonImageIsRefused(bytes: [UInt8]) {
        #expect(throws: DomainError.notAPhoto(name: "notes.txt")) { try PhotoKind(sniffing: bytes, name: "notes.txt") }
    }

    @Test func aPhotoRoundTripsIntoTheReportFolderAndVerifies() throws {
        let fixture = try ReportFixture()
        let digest = try Self.attach(Self.jpeg, to: fixture)
        let (folder, report) = try Self.write(fixture)
        let photo = try #require(report.photos.first { $0.sha256 == digest.hex })
        #expect(photo.file == "photos/\(digest.hex).jpg")
        #expect(photo.stack == "S2")
        #expect(photo.caption == "S2 after restore")
        #expect(Array(try Data(contentsOf: folder.appending(path: photo.file!))) == Self.jpeg)
        let html = try String(contentsOf: folder.appending(path: "report.html"), encoding: .utf8)
        #expect(html.contains(#"<img src="photos/\#(digest.hex).jpg" alt="S2 after restore">"#))
        let verified = try ReportVerifier.verify(directory: folder, publicKey: fixture.key.publicKey)
        #expect(verified.photos == report.photos)
    }

    @Test func anAlteredPhotoFailsVerificationNamingIt() throws {
        let fixture = try ReportFixture()
        let digest = try Self.attach(Self.png, to: fixture)
        let seq = try fixture.store.head().size
        let (folder, _) = try Self.write(fixture)
        let file = folder.appending(path: "photos/\(digest.hex).png")
        try Data(Self.png + [0]).write(to: file)
        #expect(
            throws: ReportError.rejected(
                "photo seq \(seq): photos/\(digest.hex).png was altered: it does not hash to \(digest.hex)")
        ) {
            try ReportVerifier.verify(directory: folder, publicKey: fixture.key.publicKey)
        }
    }

    @Test func aMissingPhotoFailsVerificationNamingIt() throws {
        let fixture = try ReportFixture()
        let digest = try Self.attach(Self.jpeg, to: fixture)
        let seq = try fixture.store.head().size
        let (folder, _) = try Self.write(fixture)
        try FileManager.default.removeItem(at: folder.appending(path: "photos/\(digest.hex).jpg"))
        #expect(
            throws: ReportError.rejected("photo seq \(seq): photos/\(digest.hex).jpg is missing from the report folder")
        ) {
            try ReportVerifier.verify(directory: folder, publicKey: fixture.key.publicKey)
        }
    }

    @Test func aPhotoKnownByHashOnlyIsListedWithoutAFile() throws {
        let fixture = try ReportFixture()
        let report = try fixture.report()
        // The scenario attaches one photo by hash only, the way `record photo --sha256` does.
        let photo = try #require(report.photos.first)
        #expect(photo.file == nil)
        #expect(try ReportBuilder.photoFiles(report, store: fixture.store).isEmpty)
        #expect(try HTMLRenderer.render(report).contains("known by hash only"))
    }

    @Test func aRefusedEventLeavesNoCopyBehind() throws {
        let fixture = try ReportFixture()
        let bytes = Self.jpeg + [1, 2, 3]
        let size = try fixture.store.head().size
        let digest = SHA256.hash(bytes)
        let event = DomainEvent.photoAttached(PhotoAttached(sha256: digest.hex, name: "x.jpg", mediaType: "image/jpeg"))
        let draft = event.draft(site: "site-1", stack: "S9", observedAt: nil, actor: "tech", eventID: .version7())
        #expect(throws: AuditLogError.self) {
            try fixture.store.append([draft], attaching: [bytes], guard: SiteAdmission.check)
        }
        #expect(try fixture.store.evidence(digest) == nil)
        #expect(try fixture.store.head().size == size)
    }

    @Test func aPhotoWhoseCopyIsNotInTheLogCannotBeReported() throws {
        let fixture = try ReportFixture()
        let digest = SHA256.hash(Self.png)
        let event = DomainEvent.photoAttached(PhotoAttached(sha256: digest.hex, name: "x.png", mediaType: "image/png"))
        let draft = event.draft(site: "site-1", stack: "S1", observedAt: nil, actor: "tech", eventID: .version7())
        let seq = try fixture.store.append([draft], guard: SiteAdmission.check)[0].seq
        let report = try fixture.report()
        #expect(throws: ReportError.missingPhoto(seq: seq, sha256: digest.hex)) {
            try ReportBuilder.photoFiles(report, store: fixture.store)
        }
    }

    @Test func theStoreRefusesAnOversizedFile() throws {
        let fixture = try ReportFixture()
        let big = [UInt8](repeating: 0, count: SQLiteEventStore.maximumEvidenceSize + 1)
        #expect(throws: AuditLogError.evidenceTooLarge(size: big.count, limit: SQLiteEventStore.maximumEvidenceSize)) {
            try fixture.store.append([], attaching: [big], guard: nil)
        }
    }
}
