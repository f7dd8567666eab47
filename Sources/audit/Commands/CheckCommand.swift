import ArgumentParser
import AuditDomain
import AuditLog

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Check a site's run against the procedure; exits 1 when any rule fails.")

    @OptionGroup var log: LogOptions
    @OptionGroup var output: FormatOptions
    @Option(help: "The site.") var site: String

    func run() throws {
        let check = try log.readOnlySiteLog().check(site: site)
        printCheck(check, format: output.format)
        if check.failed { throw ExitCode(1) }
    }
}
