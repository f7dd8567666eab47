import ArgumentParser
import AuditCore
import AuditLog

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create a new, empty audit log, and say who installs with it.")

    @OptionGroup var log: LogOptions
    @OptionGroup var output: FormatOptions
    @Option(help: "Who does the work: the actor of every event unless --actor says otherwise.") var installer: String?
    @Option(help: "With --installer: the installer's company.") var company: String?

    func validate() throws {
        if company != nil, installer == nil { throw ValidationError("--company needs --installer NAME") }
    }

    func run() throws {
        // Checked before the file is made, so a refused name leaves no log behind.
        let identity = try installer.map { name throws(ActorError) in try Installer(name: name, company: company) }
        let store = try SQLiteEventStore.create(at: log.path)
        if let identity { try store.setInstaller(identity) }
        switch output.format {
        case .json:
            // Only what was set: a log made without an installer prints the two fields it always did.
            var fields: [String: JSONValue] = ["path": .string(store.path), "log_id": .string(store.logID)]
            if let identity { fields["installer"] = .string(identity.name) }
            if let company = identity?.company { fields["company"] = .string(company) }
            emit(.object(fields))
        case .text:
            say("created \(store.path)")
            say("log id \(store.logID)")
            if let identity { say("installer \(identity.name)" + (identity.company.map { ", \($0)" } ?? "")) }
        }
    }
}

struct InstallerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "installer", abstract: "Show or set who installs with this log.",
        subcommands: [InstallerShow.self, InstallerSet.self], defaultSubcommand: InstallerShow.self)
}

struct InstallerSet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Set the installer: the actor of every later event, recorded in each later procedure.started.")

    @OptionGroup var log: LogOptions
    @OptionGroup var output: FormatOptions
    @Option(help: "The installer's name.") var name: String
    @Option(help: "The installer's company.") var company: String?

    func run() throws {
        let identity = try Installer(name: name, company: company)
        try log.open().setInstaller(identity)
        InstallerShow.print(identity, format: output.format)
    }
}

struct InstallerShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show the log's installer.")

    @OptionGroup var log: LogOptions
    @OptionGroup var output: FormatOptions

    func run() throws {
        guard let identity = try log.open().installer() else {
            throw PresentedFailure(.notFound, "no installer set: 'audit installer set --name NAME [--company C]'")
        }
        Self.print(identity, format: output.format)
    }

    static func print(_ identity: Installer, format: OutputFormat) {
        switch format {
        case .json:
            emit(["installer": .string(identity.name), "company": identity.company.map(JSONValue.string) ?? .null])
        case .text: say("installer \(identity.name)" + (identity.company.map { ", \($0)" } ?? ""))
        }
    }
}
