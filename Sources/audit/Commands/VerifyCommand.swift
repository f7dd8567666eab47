import ArgumentParser
import AuditCrypto
import AuditLog
import AuditReports
import Foundation

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Walk the whole hash chain; exit non-zero at the first break.",
        discussion: "With --against, also check that the log still holds what a report committed to.")

    @OptionGroup var log: LogOptions
    @OptionGroup var output: FormatOptions

    @Option(name: .long, help: "A report.json issued earlier: refuse if the log was truncated or rewritten since.")
    var against: String?

    @Option(name: .long, help: "With --against: the signer's public key; the report folder is verified first.")
    var pubkey: String?

    func validate() throws {
        if pubkey != nil, against == nil { throw ValidationError("--pubkey goes with --against") }
    }

    func run() throws {
        let store = try log.open()
        // Without the key, report.json is only a claim: its signature and verdicts are checked when the key is given.
        if let against, let pubkey {
            do {
                let key = try KeyFiles.loadPublicKey(at: URL(fileURLWithPath: pubkey))
                _ = try ReportVerifier.verify(
                    directory: URL(fileURLWithPath: against).deletingLastPathComponent(), publicKey: key)
            } catch { throw CommandFailure("the report itself does not verify: \(error)") }
        }
        let inputs = try against.map(readReport)
        let checkpoint = inputs?.checkpoint
        if let checkpoint, checkpoint.logID != store.logID {
            throw CommandFailure("the report is of log \(checkpoint.logID), not of this log \(store.logID)")
        }
        let result: ChainVerification
        let mismatch: CheckpointMismatch?
        do {
            result = try store.verify()
            mismatch = try checkpoint.flatMap(store.verify(against:))
        } catch { throw CommandFailure(error) }
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
            if let checkpoint {
                object["against"] = [
                    "size": .integer(checkpoint.size), "root": .string(checkpoint.root.hex),
                    "matches": .bool(mismatch == nil), "mismatch": mismatch.map { .string($0.description) } ?? .null,
                    "report_signature_checked": .bool(pubkey != nil),
                ]
            }
            emit(.object(object))
        case .text:
            for warning in result.warnings { print("warning: \(warning)") }
            if result.isIntact { print("intact: \(result.size) events, head \(result.head.hex)") }
            if let checkpoint, mismatch == nil {
                print("matches the report: its \(checkpoint.size) events still have root \(checkpoint.root.hex)")
                if pubkey == nil { print("note: the report's signature was not checked; give --pubkey to check it") }
            }
        }
        if let firstBreak = result.firstBreak {
            throw CommandFailure("chain broken at \(firstBreak)", code: 1)
        }
        if let mismatch { throw CommandFailure("the log no longer matches the report: \(mismatch)", code: 1) }
        if let inputs {
            do { try ReportVerifier.checkComplete(inputs, in: store) } catch { throw CommandFailure(error) }
        }
    }

    func readReport(_ path: String) throws -> ReportInputs {
        do {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            return try ReportInputs(json: JSONValue(parsing: bytes))
        } catch let error as ReportError {
            throw CommandFailure("\(path): \(error)")
        } catch let error as JSONParseError {
            throw CommandFailure("\(path) is not JSON: \(error)")
        } catch {
            throw CommandFailure("\(path) is missing or unreadable")
        }
    }
}
