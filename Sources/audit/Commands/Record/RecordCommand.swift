import ArgumentParser

struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record one step or observation, validated against the site's registration.",
        subcommands: [
            RecordSite.self, RecordStart.self, RecordPower.self, RecordCable.self, RecordDIP.self, RecordLCD.self,
            RecordVersion.self, RecordNote.self, RecordPhoto.self, RecordPush.self, RecordStep.self,
            RecordComplete.self, RecordAbort.self,
        ])
}
