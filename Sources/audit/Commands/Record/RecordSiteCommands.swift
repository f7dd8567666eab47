import ArgumentParser
import AuditCore
import AuditDomain
import Foundation

struct RecordSite: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "site", abstract: "Register a site: its stacks in chain order, master first, and the BMS model.")

    @OptionGroup var record: RecordOptions
    @Option(help: "Stacks in chain order, master first: ID:SERIAL,ID:SERIAL,...") var stacks: String
    @Option(help: "The BMS model name.") var model: String = "BMS"
    @Option(name: .customLong("addr-pins"), help: "Pins of the ADDR DIP bank on this model.") var addrPins = 6
    @Option(name: .customLong("inv-pins"), help: "Pins of the INV DIP bank on this model.") var invPins = 6

    func run() throws {
        let range = DeviceModel.pinRange
        guard range.contains(addrPins), range.contains(invPins) else {
            throw ValidationError(
                "--addr-pins and --inv-pins must be between \(range.lowerBound) and \(range.upperBound)")
        }
        let identities = try parsed("--stacks") { () throws(DomainError) in try StackIdentity.list(parsing: stacks) }
        let model = DeviceModel(name: model, addrPins: addrPins, invPins: invPins)
        try record.record(.siteRegistered(SiteRegistered(model: model, stacks: identities)))
    }
}

struct RecordStart: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start", abstract: "Record the start of the procedure: its version and the approved image.")

    @OptionGroup var record: RecordOptions
    @Option(help: "The procedure id (default: the bundled one).") var procedure: String?
    @Option(name: .customLong("procedure-version"), help: "The procedure version (default: the current one).")
    var procedureVersion: String?
    @Option(name: .customLong("target-version"), help: "The firmware version the image installs.")
    var targetVersion: String
    @Option(help: "The approved firmware image; its SHA-256 is recorded.") var image: String?
    @Option(name: .customLong("image-sha256"), help: "The image's SHA-256, when the file is not at hand.")
    var imageSHA256: String?
    @Option(help: "How the pushes are made: manual, command or sim (a simulation is never reported as a visit).")
    var transport: PushTransport = .manual

    func run() throws {
        guard (image == nil) != (imageSHA256 == nil) else {
            throw ValidationError("give exactly one of --image and --image-sha256")
        }
        // The installer goes into the chain with the start of the run, so a report can prove who did the work.
        let installer = try record.log.open().installer()
        let started = try ProcedureStarted(
            recording: procedure, version: procedureVersion, targetVersion: targetVersion, image: image,
            imageSHA256: imageSHA256, transport: transport, installer: installer?.name, company: installer?.company)
        try record.record(.procedureStarted(started))
    }
}

struct RecordStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "step", abstract: "Record that a procedure step is done.")

    @OptionGroup var record: RecordOptions
    @Option(help: "The step id from the procedure file, e.g. isolate.power-off.") var step: String

    func run() throws { try record.record(.stepCompleted(StepCompleted(step: step))) }
}

struct RecordComplete: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "complete", abstract: "Record that the procedure is complete.")

    @OptionGroup var record: RecordOptions

    func run() throws { try record.record(.procedureCompleted) }
}

struct RecordAbort: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "abort", abstract: "Record that the procedure was aborted.")

    @OptionGroup var record: RecordOptions
    @Option(help: "Why it was aborted.") var reason: String

    func run() throws { try record.record(.procedureAborted(ProcedureAborted(reason: reason))) }
}
