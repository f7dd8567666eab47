import ArgumentParser
import AuditCore
import AuditDomain
import Foundation

struct RecordPower: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "power", abstract: "Record a BMS seen on or off.")

    @OptionGroup var record: RecordOptions
    @OptionGroup var correction: CorrectionOptions
    @Option(help: "The stack id.") var stack: String
    @Option(help: "on or off.") var state: String

    func run() throws {
        let state = try parsed("--state") { () throws(DomainError) in try PowerState(parsing: self.state) }
        try record.record(.powerObserved(PowerObserved(state: state)), stack: stack, correcting: correction)
    }
}

struct RecordCable: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cable", abstract: "Record a link cable plugged or unplugged between two ports.")

    @OptionGroup var record: RecordOptions
    @OptionGroup var correction: CorrectionOptions
    @Option(help: "One end, STACK:PORT with PORT A or B, e.g. S1:A.") var from: String
    @Option(help: "The other end, e.g. S2:B.") var to: String
    @Option(help: "plugged or unplugged.") var state: String

    func run() throws {
        let from = try parsed("--from") { () throws(DomainError) in try PortRef(parsing: self.from) }
        let to = try parsed("--to") { () throws(DomainError) in try PortRef(parsing: self.to) }
        let state = try parsed("--state") { () throws(DomainError) in try CableState(parsing: self.state) }
        try record.record(.cableObserved(CableObserved(from: from, to: to, state: state)), correcting: correction)
    }
}

struct RecordDIP: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dip", abstract: "Record a DIP bank's position, pin 1 first: U/D (or 1/0), e.g. UDDDDD.")

    @OptionGroup var record: RecordOptions
    @OptionGroup var correction: CorrectionOptions
    @Option(help: "The stack id.") var stack: String
    @Option(help: "addr or inv.") var bank: String
    @Option(help: "Pin 1 first, U for up and D for down (1/0 accepted).") var position: String

    func run() throws {
        let bank = try parsed("--bank") { () throws(DomainError) in try DIPBank(parsing: self.bank) }
        let position = try parsed("--position") { () throws(DomainError) in try DIPPosition(parsing: self.position) }
        try record.record(
            .dipObserved(DIPObserved(bank: bank, position: position)), stack: stack, correcting: correction)
    }
}

struct RecordLCD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lcd", abstract: "Record a code shown on a stack's LCD, e.g. 62, 1, 'ERROR 19'.")

    @OptionGroup var record: RecordOptions
    @OptionGroup var correction: CorrectionOptions
    @Option(help: "The stack id.") var stack: String
    @Option(help: "The code as shown.") var code: String

    func run() throws {
        let code = try parsed("--code") { () throws(DomainError) in try LCDCode(recording: self.code) }
        try record.record(.lcdObserved(LCDObserved(code: code)), stack: stack, correcting: correction)
    }
}

struct RecordVersion: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version", abstract: "Record the firmware version read on a stack.")

    @OptionGroup var record: RecordOptions
    @OptionGroup var correction: CorrectionOptions
    @Option(help: "The stack id.") var stack: String
    @Option(help: "The version as read, e.g. 4007.") var version: String

    func run() throws {
        guard !version.isEmpty else { throw ValidationError("--version must not be empty") }
        try record.record(
            .firmwareVersionObserved(VersionObserved(version: version)), stack: stack, correcting: correction)
    }
}

struct RecordNote: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "note", abstract: "Record a free-text note.")

    @OptionGroup var record: RecordOptions
    @OptionGroup var correction: CorrectionOptions
    @Option(help: "The stack it concerns, if any.") var stack: String?
    @Option(help: "The note.") var text: String

    func run() throws {
        guard !text.isEmpty else { throw ValidationError("--text must not be empty") }
        try record.record(.noteAdded(NoteAdded(text: text)), stack: stack, correcting: correction)
    }
}

struct RecordPhoto: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "photo",
        abstract: "Attach a photo: with --file the log keeps a copy (JPEG or PNG), so the original may be deleted.")

    @OptionGroup var record: RecordOptions
    @OptionGroup var correction: CorrectionOptions
    @Option(help: "The stack it shows, if any.") var stack: String?
    @Option(help: "The photo file (JPEG or PNG); a copy is stored in the log.") var file: String?
    @Option(help: "Instead of --file: the photo's SHA-256, taken elsewhere; the log keeps no copy.") var sha256: String?
    @Option(help: "With --sha256: the photo's file name.") var name: String?
    @Option(help: "What the photo shows, e.g. 'S2 ADDR bank after restore'.") var caption: String?

    func run() throws {
        guard (file == nil) != (sha256 == nil) else { throw ValidationError("give exactly one of --file and --sha256") }
        if let file {
            return try record.attachPhoto(file: file, stack: stack, caption: caption, correcting: correction)
        }
        let photo = try PhotoAttached(hashOnly: sha256!, name: name ?? "", caption: caption)
        try record.record(.photoAttached(photo), stack: stack, correcting: correction)
    }
}

struct RecordPush: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Record a firmware push done with the vendor's tooling: started, progress, completed, failed.")

    enum Status: String, ExpressibleByArgument, CaseIterable { case started, progress, completed, failed }

    @OptionGroup var record: RecordOptions
    @Option(help: "The stack id.") var stack: String
    @Option(help: "started, progress, completed or failed.") var status: Status
    @Option(help: "With progress: 0 to 100.") var percent: Int?
    @Option(help: "With completed: the version read back.") var version: String?
    @Option(help: "With failed: why.") var reason: String?
    @Option(name: .customLong("image-sha256"), help: "With started: the image pushed (default: the approved one).")
    var imageSHA256: String?
    @Option(name: .customLong("target-version"), help: "With started: default: the procedure's target.")
    var targetVersion: String?
    @Option(help: "With started: the attempt number.") var attempt = 1

    func run() throws {
        let event: DomainEvent
        switch status {
        case .started:
            return try record.recordPushStarted(
                stack: stack, imageSHA256: imageSHA256, targetVersion: targetVersion, attempt: attempt)
        case .progress:
            guard let percent, (0...100).contains(percent) else {
                throw PresentedFailure(.invalidInput, "--percent must be 0 to 100")
            }
            event = .pushProgress(PushProgress(percent: percent))
        case .completed:
            guard let version, !version.isEmpty else { throw ValidationError("--version is required with completed") }
            event = .pushCompleted(PushCompleted(version: version))
        case .failed:
            guard let reason, !reason.isEmpty else { throw ValidationError("--reason is required with failed") }
            event = .pushFailed(PushFailed(reason: reason))
        }
        try record.record(event, stack: stack)
    }
}
