import AuditCrypto
import AuditDomain
import AuditLog
import AuditTestSupport
import Foundation
import GRDB
import Testing

@testable import AuditReports

/// A failing run (ADDR of one stack left as master) in a SQLite log, its key and its signed report folder.
struct SignedReportFixture: ~Copyable {
    let temporary: TemporaryDirectory
    let store: SQLiteEventStore
    let key: Ed25519PrivateKey
    let folder: URL

    init() throws {
        let temporary = try TemporaryDirectory(prefix: "audit-reports")
        let store = try SQLiteEventStore.create(at: temporary.path("audit.db"))
        _ = try store.append(ScenarioBuilder(site: "site-1", deviation: .skipAddrRestore).build().drafts)
        let key = try Ed25519PrivateKey.generate()
        let folder = temporary.url.appending(path: "report")
        let inputs = try ReportBuilder.inputs(store: store, site: "site-1", key: key)
        try ReportDirectory.write(try ReportSigner.sign(try ReportBuilder.build(inputs), with: key), to: folder)
        self.store = store
        self.key = key
        self.folder = folder
        self.temporary = temporary
    }

    /// The report folder with nothing but the public key, as `audit verify-report` checks it.
    func verify(publicKey: Ed25519PublicKey? = nil) throws(ReportError) {
        _ = try ReportVerifier.verify(directory: folder, publicKey: publicKey ?? key.publicKey)
    }

    /// What the report committed to, read back from report.json as `audit verify --against` reads it.
    func inputs() throws -> ReportInputs {
        try ReportInputs(json: JSONValue(parsing: Array(Data(contentsOf: folder.appending(path: "report.json")))))
    }
}

/// One way a report folder is falsified after signing, and the message that refuses it.
struct ReportTampering: Sendable, CustomTestStringConvertible {
    let name: String
    /// Edits the folder; it gets the folder and the signer's key, for a signer who lies.
    let apply: @Sendable (_ folder: URL, _ key: Ed25519PrivateKey) throws -> Void
    /// The refusal starts with this (the CLI prints it after "audit: ") or, when `anywhere`, contains it.
    let message: String
    var anywhere = false
    /// Verify with another key than the signer's.
    var otherKey = false

    var testDescription: String { name }

    static func path(_ folder: URL, _ name: String) -> URL { folder.appending(path: name) }

    /// Rewrites report.json through `edit` as canonical JSON and, when `resign`, signs the new bytes with `key`.
    static func edit(
        _ folder: URL, resignWith key: Ed25519PrivateKey? = nil, _ edit: (JSONValue) throws -> JSONValue
    ) throws {
        let url = path(folder, "report.json")
        let edited = try edit(try JSONValue(parsing: Array(Data(contentsOf: url))))
        try Data(edited.canonicalText.utf8).write(to: url)
        if let key { try resign(folder, key) }
    }

    static func resign(_ folder: URL, _ key: Ed25519PrivateKey) throws {
        let json = try Data(contentsOf: path(folder, "report.json"))
        try Data(key.sign(Array(json))).write(to: path(folder, "report.json.sig"))
    }

    /// Event `index` of report.json after `edit`.
    static func editEvent(_ index: Int, _ edit: @escaping (JSONValue) throws -> JSONValue) -> (JSONValue) throws
        -> JSONValue
    {
        { report in try report.replacing("events") { events in try events.replacingElement(index, edit) } }
    }

    /// An event's proof with the first hex digit of its second sibling hash changed.
    static func flipProof(_ event: JSONValue) throws -> JSONValue {
        try event.replacing("proof") { proof in
            try proof.replacingElement(1) { hash in
                let text = try #require(hash.stringValue)
                return .string((text.first == "0" ? "1" : "0") + text.dropFirst())
            }
        }
    }

    static let all: [ReportTampering] = [
        ReportTampering(
            name: "an edited verdict, not re-signed",
            apply: { folder, _ in try edit(folder) { try $0.replacing("verdict") { _ in "pass" } } },
            message: "signature does not match report.json"),
        ReportTampering(
            name: "an edited page",
            apply: { folder, _ in
                let url = path(folder, "report.html")
                let page = try String(contentsOf: url, encoding: .utf8)
                try page.replacingOccurrences(of: "FAIL", with: "PASS").write(
                    to: url, atomically: true, encoding: .utf8)
            },
            message: "report.html does not match report.json"),
        ReportTampering(
            name: "the signature of other bytes by the same key",
            apply: { folder, key in
                try Data(key.sign(Array("another report".utf8))).write(to: path(folder, "report.json.sig"))
            },
            message: "signature does not match report.json"),
        ReportTampering(
            name: "a wrong public key", apply: { _, _ in },
            message: "signature does not match report.json: the report names key ", otherKey: true),
        ReportTampering(
            name: "a truncated signature file",
            apply: { folder, _ in
                let url = path(folder, "report.json.sig")
                try Data(try Data(contentsOf: url).prefix(63)).write(to: url)
            },
            message: "report.json.sig is 63 bytes"),
        // From here the signer lies: report.json is edited and re-signed with the real key, so only the checks
        // behind the signature can catch it.
        ReportTampering(
            name: "an altered embedded event",
            apply: { folder, key in
                try edit(
                    folder, resignWith: key,
                    editEvent(11) { event in
                        try event.replacing("payload") { payload in
                            let text = try #require(payload.stringValue)
                            let one = try #require(text.firstIndex(of: "1"))
                            return .string(text.replacingCharacters(in: one...one, with: "2"))
                        }
                    })
            },
            message: "event seq 12: hash does not match its columns"),
        ReportTampering(
            name: "an altered event with its hash recomputed",
            apply: { folder, key in
                try edit(
                    folder, resignWith: key,
                    editEvent(11) { event in
                        let actor = try event.replacing("actor") { _ in "someone-else" }
                        return try actor.replacing("hash") { _ in .string(try rehash(actor).hex) }
                    })
            },
            message: "event seq 12: inclusion proof does not verify against the checkpoint root"),
        ReportTampering(
            name: "an altered proof",
            apply: { folder, key in try edit(folder, resignWith: key, editEvent(11, flipProof)) },
            message: "event seq 12: inclusion proof does not verify against the checkpoint root"),
        ReportTampering(
            name: "a verdict the events do not support",
            apply: { folder, key in
                try edit(folder, resignWith: key) { report in
                    let findings = try report.replacing("findings") { findings in
                        .array(
                            try #require(findings.arrayValue).map { finding in
                                finding["rule"] == "dip.addr-restored"
                                    ? try finding.replacing("verdict") { _ in "pass" } : finding
                            })
                    }
                    return try findings.replacing("verdict") { _ in "pass" }
                }
            },
            message: "rule dip.addr-restored: report says pass, replay says fail"),
        // Seq 29 is an ADDR observation of S3; without it the replayed verdicts differ from the signed ones.
        ReportTampering(
            name: "an omitted event that decides a rule",
            apply: { folder, key in
                try edit(folder, resignWith: key) { report in
                    try report.replacing("events") { events in
                        .array(try #require(events.arrayValue).filter { $0["seq"] != .integer(29) })
                    }
                }
            },
            message: "rule "),
        ReportTampering(
            name: "a non-canonical report.json",
            apply: { folder, key in
                let url = path(folder, "report.json")
                let text = try String(contentsOf: url, encoding: .utf8)
                try text.replacingOccurrences(of: #"{"checkpoint":"#, with: #"{ "checkpoint":"#)
                    .write(to: url, atomically: true, encoding: .utf8)
                try resign(folder, key)
            },
            message: "report.json is not canonical JSON"),
    ]

    /// The FORMAT.md hash of a report event from its own columns, as a lying signer would recompute it.
    static func rehash(_ event: JSONValue) throws -> Digest {
        func text(_ key: String) throws -> String {
            let value = event[key]?.stringValue
            return try #require(value, "report event has no string \(key)")
        }
        let prevHash = try text("prev_hash")
        let prev = try #require(Digest(hex: prevHash))
        let seq = try #require(event["seq"]?.integerValue)
        return ChainHash.hash(
            prevHash: prev, seq: seq,
            eventID: try text("event_id"), site: try text("site"), stack: event["stack"]?.stringValue,
            type: try text("type"), payload: try text("payload"), observedAt: try text("observed_at"),
            recordedAt: try text("recorded_at"), actor: try text("actor"))
    }
}

extension JSONValue {
    /// A copy of this object with member `key` replaced by `transform` of its value.
    func replacing(_ key: String, _ transform: (JSONValue) throws -> JSONValue) throws -> JSONValue {
        var members = try #require(objectValue, "not an object: \(self)")
        members[key] = try transform(try #require(members[key], "no member \(key)"))
        return .object(members)
    }

    /// A copy of this array with element `index` replaced by `transform` of it.
    func replacingElement(_ index: Int, _ transform: (JSONValue) throws -> JSONValue) throws -> JSONValue {
        var elements = try #require(arrayValue, "not an array: \(self)")
        try #require(elements.indices.contains(index))
        elements[index] = try transform(elements[index])
        return .array(elements)
    }
}

/// Report tampering caught in-process by `ReportVerifier` and the log checks `audit verify --against` runs.
/// The binary tier (AuditCLITests.ReportTamperTests) keeps the exit statuses, stderr lines and real tools.
@Suite struct ReportTamperTests {
    @Test func anUntouchedReportAndLogVerify() throws {
        let fixture = try SignedReportFixture()
        try fixture.verify()
        let inputs = try fixture.inputs()
        #expect(try fixture.store.verify().isIntact)
        #expect(try fixture.store.verify(against: inputs.checkpoint) == nil)
        try ReportVerifier.checkComplete(inputs, in: fixture.store)
    }

    @Test(arguments: ReportTampering.all)
    func eachFalsifiedReportIsRefusedAndNamed(_ tampering: ReportTampering) throws {
        let fixture = try SignedReportFixture()
        try tampering.apply(fixture.folder, fixture.key)
        let publicKey = tampering.otherKey ? try Ed25519PrivateKey.generate().publicKey : fixture.key.publicKey
        let error = try #require(throws: ReportError.self) { try fixture.verify(publicKey: publicKey) }
        let message = "\(error)"
        if tampering.anywhere {
            #expect(message.contains(tampering.message), "\(message)")
        } else {
            #expect(message.hasPrefix(tampering.message), "\(message)")
        }
    }

    @Test func aWrongPublicKeyIsNamedBesideTheReportsKey() throws {
        let fixture = try SignedReportFixture()
        let other = try Ed25519PrivateKey.generate().publicKey
        let error = try #require(throws: ReportError.self) { try fixture.verify(publicKey: other) }
        #expect("\(error)".contains("the report names key \(fixture.key.keyID)"), "\(error)")
        #expect("\(error)".contains("the public key given is \(other.keyID)"), "\(error)")
    }

    @Test func aMissingSignatureFileIsNamedByPath() throws {
        let fixture = try SignedReportFixture()
        let signature = fixture.folder.appending(path: "report.json.sig")
        try FileManager.default.removeItem(at: signature)
        #expect(throws: ReportError.missingFile(path: signature.path)) {
            try fixture.verify()
        }
    }

    @Test func anOmittedEventIsCaughtAgainstTheLog() throws {
        let fixture = try SignedReportFixture()
        // Omitting an event leaves every remaining hash, link and proof valid: proofs show presence, not
        // completeness, so only the log itself can show the omission.
        try ReportTampering.edit(fixture.folder, resignWith: fixture.key) { report in
            try report.replacing("events") { .array(Array(try #require($0.arrayValue).dropLast())) }
        }
        let inputs = try fixture.inputs()
        #expect(try fixture.store.verify(against: inputs.checkpoint) == nil)
        let error = try #require(throws: ReportError.self) {
            try ReportVerifier.checkComplete(inputs, in: fixture.store)
        }
        #expect("\(error)".hasPrefix("the report omits event seq 86 of site 'site-1'"), "\(error)")
    }

    @Test func aLogRewrittenAfterReportingWithEveryLaterHashRecomputedIsRefused() throws {
        let fixture = try SignedReportFixture()
        try Self.rewrite(
            fixture.store.path, seq: 29, sql: "UPDATE events SET payload = replace(payload, 'UDDDDD', 'UUDDDD')")
        let store = try SQLiteEventStore.open(at: fixture.store.path)
        // The chain alone is intact again: only the report's Merkle root shows the rewrite.
        #expect(try store.verify().isIntact)
        let checkpoint = try fixture.inputs().checkpoint
        let mismatch = try #require(try store.verify(against: checkpoint))
        if case .rewritten(let size, let root, _, _) = mismatch {
            #expect(size == 86)
            #expect(root == checkpoint.root)
        } else {
            Issue.record("expected a rewrite, got \(mismatch)")
        }
        #expect(mismatch.description.hasPrefix("the log was rewritten: its 86 events have Merkle root "))
    }

    @Test func aLogTruncatedAfterReportingIsRefused() throws {
        let fixture = try SignedReportFixture()
        try DatabaseQueue(path: fixture.store.path).writeWithoutTransaction { db in
            try db.execute(
                sql: "DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete; DELETE FROM events WHERE seq > 80")
        }
        let store = try SQLiteEventStore.open(at: fixture.store.path)
        #expect(try store.verify().isIntact)
        let mismatch = try store.verify(against: try fixture.inputs().checkpoint)
        #expect(mismatch == .truncated(checkpointSize: 86, logSize: 80))
        #expect(
            mismatch?.description == "the log was truncated: the checkpoint covers 86 events, the log now has 80")
    }

    @Test func eventsAppendedAfterReportingStillMatch() throws {
        let fixture = try SignedReportFixture()
        _ = try fixture.store.append(
            DomainEvent.noteAdded(NoteAdded(text: "later")).draft(
                site: "site-1", stack: nil, observedAt: nil, actor: "tester"))
        let inputs = try fixture.inputs()
        #expect(try fixture.store.verify(against: inputs.checkpoint) == nil)
        try ReportVerifier.checkComplete(inputs, in: fixture.store)
    }

    @Test func aReportOfAnotherLogIsNamedAsSuch() throws {
        let fixture = try SignedReportFixture()
        let other = try SQLiteEventStore.create(at: fixture.temporary.path("other.db"))
        _ = try other.append(ScenarioBuilder(site: "site-1").build().drafts)
        let checkpoint = try fixture.inputs().checkpoint
        #expect(
            try other.verify(against: checkpoint) == .differentLog(expected: checkpoint.logID, actual: other.logID))
    }

    /// Applies `sql` to row `seq`, then re-seals that row and every later one (FORMAT.md §2), as a rewriter would.
    static func rewrite(_ path: String, seq: Int64, sql: String) throws {
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete")
            try db.execute(sql: sql + " WHERE seq = ?", arguments: [seq])
            var prev = try #require(
                try String.fetchOne(db, sql: "SELECT hash FROM events WHERE seq = ?", arguments: [seq - 1])
                    .flatMap { Digest(hex: $0) })
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT seq, event_id, site, stack, type, payload, observed_at, recorded_at, actor
                    FROM events WHERE seq >= ? ORDER BY seq
                    """, arguments: [seq])
            for row in rows {
                let hash = ChainHash.hash(
                    prevHash: prev, seq: row["seq"], eventID: row["event_id"], site: row["site"], stack: row["stack"],
                    type: row["type"], payload: row["payload"], observedAt: row["observed_at"],
                    recordedAt: row["recorded_at"], actor: row["actor"])
                try db.execute(
                    sql: "UPDATE events SET prev_hash = ?, hash = ? WHERE seq = ?",
                    arguments: [prev.hex, hash.hex, row["seq"] as Int64])
                prev = hash
            }
        }
    }
}
