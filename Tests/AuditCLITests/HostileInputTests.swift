import AuditCore
import AuditDomain
import AuditLog
import AuditTestSupport
import Foundation
import Testing

/// Issue 11, hostile input: what a hostile user types or stores is refused with one line, or shown escaped.
@Suite struct HostileInputTests {
    /// A log with site `p` (S1, S2) registered through the domain, for the refusals below.
    static func registeredLog(_ scratch: borrowing TemporaryDirectory) throws -> String {
        let db = scratch.path("audit.db")
        let log = SiteLog(try SQLiteEventStore.create(at: db))
        let registration = SiteRegistered(
            model: DeviceModel(name: "BMS"),
            stacks: [StackIdentity(id: "S1", serial: "A", order: 1), StackIdentity(id: "S2", serial: "B", order: 2)])
        _ = try log.record(.siteRegistered(registration), site: "p", actor: "t")
        return db
    }

    static func size(_ db: String) throws -> Int64 { try SQLiteEventStore.openReadOnly(at: db).head().size }

    // MARK: Text output escapes controls

    /// An older writer stored an LCD code and a serial holding terminal escapes; `status` shows them escaped.
    @Test func statusEscapesTerminalSequencesStoredInALogByAnOlderWriter() async throws {
        let scratch = try TemporaryDirectory()
        let db = scratch.path("audit.db")
        let store = try SQLiteEventStore.create(at: db)
        let registration = SiteRegistered(
            model: DeviceModel(name: "BMS"), stacks: [StackIdentity(id: "S1", serial: "X\u{9B}31m", order: 1)])
        // Written past the gate, as a log from before the name and LCD rules holds them.
        _ = try store.append(
            DomainEvent.siteRegistered(registration).draft(site: "p", stack: nil, observedAt: nil, actor: "t"))
        _ = try store.append(
            EventDraft(
                site: "p", stack: "S1", type: "lcd.observed", data: ["code": "\u{1B}[2J\u{1B}]0;pwned\u{07}"],
                actor: "t"))
        let result = try await CLI.audit(["status", "--db", db, "--site", "p"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x9B || $0.value == 0x07 })
        #expect(result.stdout.contains(#"\u{1b}[2J\u{1b}]0;pwned\u{7}"#), "\(result.stdout)")
        #expect(result.stdout.contains(#"X\u{9b}31m"#), "\(result.stdout)")
        // The JSON output stays JSON: the same code, JSON-escaped.
        let json = try await CLI.audit(["status", "--db", db, "--site", "p", "--format", "json"])
        #expect(json.stdout.contains(#"\u001b[2J"#), "\(json.stdout)")
    }

    /// A site name with a C1 CSI (U+009B) and a bidi override, stored by an older writer, in every listing.
    @Test func logSitesAndCheckEscapeControlsInStoredNamesToo() async throws {
        let scratch = try TemporaryDirectory()
        let db = try Self.registeredLog(scratch)
        let site = "q\u{9B}2J\u{202E}x"
        _ = try SQLiteEventStore.open(at: db).append(
            EventDraft(site: "placeholder", type: "reading.taken", data: ["n": 1], actor: "t"))
        // No writer accepts the name now; a row from before the rule holds it (the listings do not verify).
        let stored = try await CLI.sqlite(
            db,
            TamperTests.dropTriggers
                + "UPDATE events SET site = 'q' || char(155) || '2J' || char(8238) || 'x' WHERE site = 'placeholder'")
        #expect(stored.status == 0, "\(stored.stderr)")
        for arguments in [["log"], ["sites"], ["check", "--site", site], ["status", "--site", site]] {
            let result = try await CLI.audit(arguments + ["--db", db])
            #expect(!result.stdout.isEmpty, "\(arguments): \(result.stderr)")
            #expect(
                !result.stdout.unicodeScalars.contains { $0.isHiddenControl && $0 != "\n" },
                "\(arguments): \(result.stdout)")
            // `check` prints no site name; every listing that does shows it escaped.
            if arguments[0] != "check" {
                #expect(result.stdout.contains(#"q\u{9b}2J\u{202e}x"#), "\(arguments): \(result.stdout)")
            }
        }
    }

    // MARK: Names refuse C1 controls and bidirectional marks

    static let hostileNames: [String] = [
        "a\u{9B}b", "a\u{85}b", "admin\u{202E}nimda", "a\u{202A}b", "a\u{2066}b", "a\u{2069}b", "a\u{200E}b",
        "a\u{200F}b", "a\u{7F}b", "a\u{2028}b",
    ]

    @Test(arguments: hostileNames)
    func aSiteNameWithAHiddenControlIsRefusedWithOneLine(name: String) async throws {
        let scratch = try TemporaryDirectory()
        let db = try Self.registeredLog(scratch)
        let result = try await CLI.audit(["record", "site", "--db", db, "--site", name, "--stacks", "S1:A"])
        #expect(result.status == 65, "\(result.stderr)")
        expectOneLineError(result, contains: "site contains U+")
        #expect(result.stderr.contains("a control character or bidirectional mark"))
        #expect(!result.stderr.unicodeScalars.contains(where: \.isHiddenControl) || result.stderrLines.count == 1)
        #expect(try Self.size(db) == 1)
    }

    @Test(arguments: hostileNames)
    func anActorOrInstallerWithAHiddenControlIsRefused(name: String) async throws {
        let scratch = try TemporaryDirectory()
        let db = try Self.registeredLog(scratch)
        let actor = try await CLI.audit([
            "record", "power", "--db", db, "--site", "p", "--stack", "S1", "--state", "off", "--actor", name,
        ])
        #expect(actor.status == 65, "\(actor.stderr)")
        expectOneLineError(actor, contains: "--actor")
        let installer = try await CLI.audit(["installer", "set", "--db", db, "--name", name])
        #expect(installer.status == 65, "\(installer.stderr)")
        expectOneLineError(installer, contains: "--installer")
        #expect(try Self.size(db) == 1)
        #expect(try SQLiteEventStore.openReadOnly(at: db).installer() == nil)
    }

    /// What registration accepts can be recorded later: a stack id no event could carry is refused at once, and
    /// so is a model name holding a hidden control.
    @Test(arguments: [
        (["--stacks", "S\u{1}:B"], "stack id 'S\\u{1}' holds U+0001"),
        (["--stacks", "S\u{9B}1:B"], "stack id 'S\\u{9b}1' holds U+009B"),
        (["--stacks", "S\u{202E}1:B"], "holds U+202E"), (["--stacks", "S1:B\u{2067}"], "the serial holds U+2067"),
        (["--stacks", String(repeating: "s", count: 257) + ":B"], "is longer than 256 bytes"),
        (["--stacks", "S1:A", "--model", "BMS\u{202E}X"], "the model name holds U+202E"),
    ])
    func aRegistrationNoEventCouldFollowIsRefused(options: [String], fragment: String) async throws {
        let scratch = try TemporaryDirectory()
        let db = try Self.registeredLog(scratch)
        let result = try await CLI.audit(["record", "site", "--db", db, "--site", "q"] + options)
        #expect(result.status == 65, "\(result.stderr)")
        expectOneLineError(result, contains: fragment)
        #expect(try Self.size(db) == 1)
    }

    @Test func aRegistrationInJSONLinesMeetsTheSameRules() async throws {
        let scratch = try TemporaryDirectory()
        let db = try Self.registeredLog(scratch)
        let line =
            #"{"site":"q","type":"site.registered","data":{"model":{"name":"BMS","addr_pins":6,"inv_pins":6},"#
            + #""stacks":[{"id":"S\u0001","serial":"B","order":1}]}}"#
        let result = try await CLI.audit(["append", "--db", db, "--jsonl", "-"], stdin: line + "\n")
        #expect(result.status == 65, "\(result.stderr)")
        expectOneLineError(result, contains: "stack id 'S\\u{1}' holds U+0001")
        #expect(try Self.size(db) == 1)
    }

    // MARK: One pin limit

    @Test func recordSiteAndJSONLinesShareOnePinLimit() async throws {
        let scratch = try TemporaryDirectory()
        let db = try Self.registeredLog(scratch)
        let limit = DeviceModel.pinRange.upperBound
        let atLimit = try await CLI.audit([
            "record", "site", "--db", db, "--site", "a", "--stacks", "S1:A", "--addr-pins", "\(limit)",
        ])
        #expect(atLimit.status == 0, "\(atLimit.stderr)")
        let over = try await CLI.audit([
            "record", "site", "--db", db, "--site", "b", "--stacks", "S1:A", "--inv-pins", "\(limit + 1)",
        ])
        expectOneLineError(over, contains: "must be between 1 and \(limit)")
        func line(_ site: String, _ pins: Int) -> String {
            #"{"site":"\#(site)","type":"site.registered","data":{"model":{"name":"BMS","addr_pins":\#(pins),"#
                + #""inv_pins":6},"stacks":[{"id":"S1","serial":"B","order":1}]}}"# + "\n"
        }
        let jsonAtLimit = try await CLI.audit(["append", "--db", db, "--jsonl", "-"], stdin: line("c", limit))
        #expect(jsonAtLimit.status == 0, "\(jsonAtLimit.stderr)")
        let jsonOver = try await CLI.audit(["append", "--db", db, "--jsonl", "-"], stdin: line("d", limit + 1))
        #expect(jsonOver.status == 65)
        expectOneLineError(jsonOver, contains: "must be between 1 and \(limit), not \(limit + 1)")
        #expect(try Self.size(db) == 3)
    }

    // MARK: One nesting limit

    static func nested(_ depth: Int) -> String {
        // `depth` objects, the outermost being `data` itself.
        String(repeating: #"{"a":"#, count: depth - 1) + "{}" + String(repeating: "}", count: depth - 1)
    }

    @Test func anEventExportedAtTheDeepestNestingReimports() async throws {
        let scratch = try TemporaryDirectory()
        let db = try await makeLog(in: scratch, events: 0)
        let deepest = 64  // FORMAT.md §1: the data object is level 1
        let appended = try await CLI.audit([
            "append", "--db", db, "--site", "s", "--type", "x.deep", "--data", Self.nested(deepest),
        ])
        #expect(appended.status == 0, "\(appended.stderr)")
        let tooDeep = try await CLI.audit([
            "append", "--db", db, "--site", "s", "--type", "x.deep", "--data", Self.nested(deepest + 1),
        ])
        expectOneLineError(tooDeep, contains: "nesting deeper than \(deepest)")
        let exported = try await CLI.audit(["log", "--db", db, "--format", "json"])
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(exported.stdoutLines.count == 1)
        let copy = scratch.path("copy.db")
        #expect(try await CLI.audit(["init", "--db", copy]).status == 0)
        // The chain's own fields (seq, hashes, recorded_at) are the log's, not an input's: keep the event's.
        let keep = "event_id site stack type data observed_at actor".split(separator: " ").map(String.init)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(exported.stdout.utf8)) as? [String: Any])
        let event = try JSONSerialization.data(withJSONObject: object.filter { keep.contains($0.key) })
        let reimported = try await CLI.audit(
            ["append", "--db", copy, "--jsonl", "-"], stdin: String(decoding: event, as: UTF8.self) + "\n")
        #expect(reimported.status == 0, "\(reimported.stderr)")
        let line = #"{"site":"s","type":"x.deep","data":"# + Self.nested(deepest + 1) + "}\n"
        let tooDeepLine = try await CLI.audit(["append", "--db", copy, "--jsonl", "-"], stdin: line)
        expectOneLineError(tooDeepLine, contains: "nesting deeper than \(deepest)")
        #expect(try Self.size(copy) == 1)
    }

    // MARK: Keys and folders

    /// A FIFO (or a directory, or a device) as --key is refused at once: no read ever waits on it.
    @Test(arguments: ["fifo", "dir", "/dev/zero"])
    func aKeyThatIsNoRegularFileIsRefusedAtOnce(kind: String) async throws {
        let scratch = try TemporaryDirectory()
        let db = try makeScenarioLog(in: scratch)
        let key: String
        switch kind {
        case "fifo":
            key = scratch.path("key.fifo")
            #expect(mkfifo(key, 0o600) == 0)
        case "dir":
            key = scratch.path("key.d")
            try FileManager.default.createDirectory(atPath: key, withIntermediateDirectories: false)
        default: key = kind
        }
        // `timeout` bounds a hang: it would exit 124 instead of the refusal.
        let result = try await CLI.run(
            "timeout",
            [
                "120", CLI.auditPath, "report", "--db", db, "--site", "site-1", "--key", key, "--out",
                scratch.path("r"),
            ])
        #expect(result.status != 124, "the report waited on the key")
        expectOneLineError(result, contains: key)
        #expect(result.stderr.contains("not a regular file"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("r")))
    }

    @Test func aDefaultReportFolderForA250ByteSiteNameIsShortenedAndHashed() async throws {
        let scratch = try TemporaryDirectory()
        let site = String(repeating: "n", count: 250)
        let db = try makeScenarioLog(in: scratch, site: site)
        let keys = try await makeKeys(in: scratch)
        let work = scratch.path("work")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: false)
        let result = try await CLI.audit(
            ["report", "--db", db, "--site", site, "--key", keys.privateKey], workingDirectory: work)
        #expect(result.status == 0, "\(result.stderr)")
        let folders = try FileManager.default.contentsOfDirectory(atPath: work)
        #expect(folders == [SiteFileName.make(site)])
        #expect(folders.first?.utf8.count == SiteFileName.maximumLength)
        let verified = try await CLI.audit([
            "verify-report", work + "/" + SiteFileName.make(site), "--pubkey", keys.publicKey,
        ])
        #expect(verified.status == 0, "\(verified.stderr)")
    }
}

/// Issue 11, messages found wrong or vague.
@Suite struct MessageTests {
    @Test func devNullAsTheLogIsNotAnAuditLog() async throws {
        let result = try await CLI.audit(["status", "--db", "/dev/null", "--site", "p"])
        #expect(result.status == 65)
        expectOneLineError(result, contains: "/dev/null is not an audit log")
        #expect(!result.stderr.contains("another application"))
    }

    @Test func aSymbolicLinkLoopAsTheLogNamesTheLoop() async throws {
        let scratch = try TemporaryDirectory()
        let loop = scratch.path("loop.db")
        #expect(symlink(loop, loop) == 0)
        for arguments in [["log"], ["verify"], ["init"], ["record", "site", "--site", "p", "--stacks", "S1:A"]] {
            let result = try await CLI.audit(arguments + ["--db", loop])
            #expect(result.status == 65, "\(arguments): \(result.stderr)")
            expectOneLineError(result, contains: "loop of symbolic links")
            #expect(!result.stderr.contains("already exists"))
            #expect(!result.stderr.contains("audit init"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path("")) == ["loop.db"])
    }

    @Test func initOnADanglingSymbolicLinkSaysSoNotAlreadyExists() async throws {
        let scratch = try TemporaryDirectory()
        let link = scratch.path("link.db")
        #expect(symlink(scratch.path("nowhere/audit.db"), link) == 0)
        let result = try await CLI.audit(["init", "--db", link])
        #expect(result.status == 65, "\(result.stderr)")
        expectOneLineError(result, contains: "is a symbolic link to a missing file")
        #expect(!result.stderr.contains("already exists"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path("")) == ["link.db"])
    }

    /// A value holding a newline reaches the one stderr line escaped, all of it.
    @Test func aMessageHoldingANewlineIsEscapedNotCut() async throws {
        let scratch = try TemporaryDirectory()
        let db = try await makeLog(in: scratch, events: 0)
        let usage = try await CLI.audit(["log", "--db", db, "--limit", "1\nrm -rf"])
        #expect(usage.status == 64)
        expectOneLineError(usage, contains: #"1\nrm -rf"#)
        let invalid = try await CLI.audit(["append", "--db", db, "--site", "s", "--type", "t", "--data", "{\n\"a\" x}"])
        #expect(invalid.status == 65)
        expectOneLineError(invalid, contains: "--data is not valid JSON")
    }
}
