import Foundation
import Testing

/// `audit record photo --file` keeps a copy in the log; `audit report` writes it; `verify-report` checks it.
@Suite struct PhotoCommandTests {
    /// A 20 MB file that starts like a JPEG: the size of a phone photo, which the store must take whole.
    static func bigJPEG(at path: String) throws {
        var bytes = [UInt8](repeating: 0x5A, count: 20 << 20)
        bytes.replaceSubrange(0..<4, with: [0xFF, 0xD8, 0xFF, 0xE1])
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    @Test func aTwentyMegabytePhotoRoundTripsIntoAVerifiedReport() throws {
        let scratch = try Scratch()
        let db = try makeScenarioLog(in: scratch)
        let keys = try makeKeys(in: scratch)
        let photo = scratch.path("s2-after.jpg")
        try Self.bigJPEG(at: photo)
        let recorded = try CLI.audit([
            "record", "photo", "--db", db, "--site", "site-1", "--stack", "S2", "--file", photo,
            "--caption", "S2 ADDR after restore",
        ])
        #expect(recorded.status == 0, "\(recorded.stderr)")
        // A copy: the original may be deleted once it is recorded.
        let original = try Data(contentsOf: URL(fileURLWithPath: photo))
        try FileManager.default.removeItem(atPath: photo)

        let out = scratch.path("report")
        let report = try CLI.audit(["report", "--db", db, "--site", "site-1", "--key", keys.privateKey, "--out", out])
        #expect(report.status == 0, "\(report.stderr)")
        let photos = try FileManager.default.contentsOfDirectory(atPath: out + "/photos")
        #expect(photos.count == 1)
        let copy = try #require(photos.first)
        #expect(copy.hasSuffix(".jpg"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/photos/" + copy)) == original)
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(html.contains("S2 ADDR after restore"))

        let verified = try CLI.audit(["verify-report", out, "--pubkey", keys.publicKey])
        #expect(verified.status == 0, "\(verified.stderr)")

        // One changed byte in the copy: the verifier names the file.
        var altered = original
        altered[altered.count - 1] ^= 1
        try altered.write(to: URL(fileURLWithPath: out + "/photos/" + copy))
        let rejected = try CLI.audit(["verify-report", out, "--pubkey", keys.publicKey])
        #expect(rejected.status == 1)
        expectOneLineError(rejected, contains: "photos/\(copy) was altered")
    }

    @Test func aFileThatIsNotAnImageIsRefusedAndNothingIsRecorded() throws {
        let scratch = try Scratch()
        let db = try makeScenarioLog(in: scratch)
        let text = scratch.path("notes.jpg")
        try Data("not a photo, whatever the name says\n".utf8).write(to: URL(fileURLWithPath: text))
        let before = try CLI.sqlite(db, "SELECT count(*) FROM events; SELECT count(*) FROM evidence;").stdout
        let result = try CLI.audit(["record", "photo", "--db", db, "--site", "site-1", "--file", text])
        expectOneLineError(result, contains: "is not a JPEG or PNG image")
        #expect(result.status == 65)
        #expect(try CLI.sqlite(db, "SELECT count(*) FROM events; SELECT count(*) FROM evidence;").stdout == before)
    }

    @Test func aMissingPhotoFileIsNamed() throws {
        let scratch = try Scratch()
        let db = try makeScenarioLog(in: scratch)
        let result = try CLI.audit([
            "record", "photo", "--db", db, "--site", "site-1", "--file", scratch.path("nope.jpg"),
        ])
        expectOneLineError(result, contains: "no photo file at")
        #expect(result.status == 66)
    }
}
