import AuditCore
import Foundation
import GRDB

/// Who does the work recorded in a log: the actor of every event unless another is named.
public struct Installer: Sendable, Hashable {
    public var name: String
    public var company: String?

    /// Refuses a name that cannot stand as an actor (empty, `unknown`, a control or bidi mark) or over 200 characters.
    public init(name: String, company: String? = nil) throws(ActorError) {
        try ActorError.check(name, source: "--installer")
        if let company {
            guard !company.allSatisfy(\.isWhitespace), company.count <= 200,
                company.firstHiddenControl == nil
            else { throw .invalid(company, source: "--company") }
        }
        self.name = name
        self.company = company
    }
}

/// An actor no event may carry: nobody can be held to "unknown".
public enum ActorError: AuditFailure, Equatable, CustomStringConvertible {
    /// No actor given and none to default to.
    case none
    case invalid(String, source: String)

    public var description: String {
        switch self {
        case .none:
            "no actor: set the installer with 'audit installer set --name NAME' (or 'audit init --installer NAME'), "
                + "or give --actor or AUDIT_ACTOR"
        case .invalid(let value, let source):
            "\(source) '\(value)' cannot name who recorded an event: give a person's name "
                + "('audit installer set --name NAME', --actor or AUDIT_ACTOR)"
        }
    }

    public var exitStatus: SysExit { .invalidInput }

    static func check(_ actor: String, source: String) throws(ActorError) {
        let trimmed = actor.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.lowercased() != "unknown", actor.count <= 200,
            actor.firstHiddenControl == nil
        else { throw .invalid(actor, source: source) }
    }
}

extension LogLocation {
    /// The one resolution of who records an event, for the CLI and the executor alike: `explicit` (`--actor`),
    /// else the log's installer, else `$AUDIT_ACTOR`, else the login name; empty or `unknown` is refused.
    public static func resolveActor(
        explicit: String?, installer: Installer?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ActorError) -> String {
        if let explicit {
            try ActorError.check(explicit, source: "--actor")
            return explicit
        }
        if let installer { return installer.name }
        for key in ["AUDIT_ACTOR", "USER", "LOGNAME"] {
            guard let value = environment[key] else { continue }
            // An empty login variable is no name; an empty or "unknown" AUDIT_ACTOR was set on purpose, so refuse it.
            if key != "AUDIT_ACTOR", value.isEmpty { continue }
            try ActorError.check(value, source: key == "AUDIT_ACTOR" ? "AUDIT_ACTOR" : "$\(key)")
            return value
        }
        throw .none
    }
}

extension SQLiteEventStore {
    /// The installer set with `audit init --installer` or `audit installer set`, if any.
    public func installer() throws(AuditLogError) -> Installer? {
        let row: Row? = try Self.mapErrors {
            try dbQueue.read { db in try Row.fetchOne(db, sql: "SELECT name, company FROM installer") }
        }
        guard let row else { return nil }
        let name: String = row[0]
        let company: String? = row[1]
        do { return try Installer(name: name, company: company) } catch {
            throw .corrupt("the installer row holds '\(name)', which cannot name an actor")
        }
    }

    /// Sets (or replaces) the log's installer; events already recorded keep their actors.
    public func setInstaller(_ installer: Installer) throws(AuditLogError) {
        try Self.mapErrors {
            try dbQueue.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO installer (singleton, name, company, set_at) VALUES (1, ?, ?, ?)
                        ON CONFLICT (singleton) DO UPDATE SET name = excluded.name, company = excluded.company,
                            set_at = excluded.set_at
                        """,
                    arguments: [installer.name, installer.company, clock.now().rfc3339])
            }
        }
    }
}
