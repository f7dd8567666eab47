import AuditTestSupport
import Foundation
import Testing

@testable import AuditLog

/// Who records an event: one resolution for every writer, and no event by "unknown".
@Suite struct InstallerTests {
    static let ana = try! Installer(name: "Ana Ruiz", company: "Volt GmbH")

    @Test(
        arguments: [
            // explicit, installer?, environment, expected actor (nil: refused)
            ("bob", true, ["AUDIT_ACTOR": "carl", "USER": "dora"], "bob"),
            (nil, true, ["AUDIT_ACTOR": "carl", "USER": "dora"], "Ana Ruiz"),
            (nil, false, ["AUDIT_ACTOR": "carl", "USER": "dora"], "carl"),
            (nil, false, ["USER": "dora"], "dora"),
            (nil, false, ["USER": "", "LOGNAME": "erin"], "erin"),
            (nil, false, [:], nil),
            (nil, false, ["USER": ""], nil),
            (nil, false, ["AUDIT_ACTOR": "", "USER": "dora"], nil),
            (nil, false, ["AUDIT_ACTOR": "unknown"], nil),
            (nil, false, ["USER": "Unknown"], nil),
            ("", true, [:], nil),
            (" unknown ", true, [:], nil),
            ("a\u{7}b", true, [:], nil),
        ] as [(String?, Bool, [String: String], String?)])
    func theActorIsTheFirstOfActorInstallerEnvironmentAndNeverUnknown(
        explicit: String?, hasInstaller: Bool, environment: [String: String], expected: String?
    ) {
        let result = Result { () throws(ActorError) in
            try LogLocation.resolveActor(
                explicit: explicit, installer: hasInstaller ? Self.ana : nil, environment: environment)
        }
        switch result {
        case .success(let actor): #expect(actor == expected)
        case .failure(let error):
            #expect(expected == nil, "refused: \(error)")
            #expect(error.exitStatus == .invalidInput)
            #expect(error.description.contains("audit installer set --name NAME"))
        }
    }

    @Test func anInstallerIsKeptInTheLogAndReplacedBySettingItAgain() throws {
        let scratch = try TemporaryDirectory()
        let path = scratch.path("audit.db")
        let store = try SQLiteEventStore.create(at: path)
        #expect(try store.installer() == nil)
        try store.setInstaller(Self.ana)
        #expect(try SQLiteEventStore.open(at: path).installer() == Self.ana)
        let ben = try Installer(name: "Ben Okafor")
        try store.setInstaller(ben)
        let reopened = try SQLiteEventStore.open(at: path)
        #expect(try reopened.installer() == ben)
        #expect(try reopened.installer()?.company == nil)
    }

    @Test(arguments: [("", nil), ("unknown", nil), ("Ana", " "), ("Ana", "a\u{0}b")] as [(String, String?)])
    func aNameOrCompanyThatNamesNobodyIsRefused(name: String, company: String?) {
        #expect(throws: ActorError.self) { try Installer(name: name, company: company) }
    }

    @Test(arguments: [
        "unknown", " Unknown ", "  ", " UNKNOWN\u{3000}", "\u{A0}unKnown", "\u{2003}", "un\u{212A}nown", " \u{301}",
        "\u{A0}\u{301}",
    ])
    func noEventIsAppendedWithAnActorThatNamesNobody(actor: String) throws {
        let draft = EventDraft(site: "s", type: "x.y", actor: actor)
        #expect(throws: EventValidationError.noActor(actor)) { try draft.validate() }
        let scratch = try TemporaryDirectory()
        let store = try SQLiteEventStore.create(at: scratch.path("audit.db"))
        #expect(throws: AuditLogError.invalidEvent(index: 0, .noActor(actor))) { try store.append([draft], guard: nil) }
        #expect(try store.events(EventFilter()).isEmpty)
    }

    /// The check trims only spaces and tabs around the name, as `CharacterSet.whitespaces` did.
    @Test(arguments: ["unknown person", "Unknown.", "_unknown", "un known", "unknown\u{301}"])
    func anActorThatOnlyContainsUnknownNamesSomebody(actor: String) throws {
        try EventDraft(site: "s", type: "x.y", actor: actor).validate()
    }
}
