import ArgumentParser
import AuditLog

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Walk the whole hash chain; exit non-zero at the first break.")

    @OptionGroup var log: LogOptions
    @OptionGroup var output: FormatOptions

    func run() throws {
        let store = try log.open()
        let result: ChainVerification
        do { result = try store.verify() } catch { throw CommandFailure(error) }
        switch output.format {
        case .json:
            var object: [String: JSONValue] = [
                "intact": .bool(result.isIntact), "log_id": .string(result.logID),
                "verified_size": .integer(result.size), "head": .string(result.head.hex),
                "warnings": .array(result.warnings.map(JSONValue.string)),
            ]
            if let firstBreak = result.firstBreak {
                object["break"] = [
                    "seq": .integer(firstBreak.seq), "kind": .string(firstBreak.kind.rawValue),
                    "detail": .string(firstBreak.detail),
                ]
            }
            emit(.object(object))
        case .text:
            for warning in result.warnings { print("warning: \(warning)") }
            if result.isIntact { print("intact: \(result.size) events, head \(result.head.hex)") }
        }
        if let firstBreak = result.firstBreak {
            throw CommandFailure("chain broken at \(firstBreak)", code: 1)
        }
    }
}
