import ArgumentParser
import AuditLog
import AuditReports

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Walk the whole hash chain; exit non-zero at the first break.",
        discussion: """
            Then SQLite's integrity check of the events table and its indexes: a damaged index is a break too.
            With --against, also check that the log still holds what a report committed to: an RFC 6962 \
            consistency proof from the report's checkpoint to the log's, and every embedded event against its row.
            """)

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
        let verification = try LogVerification.verify(
            store: try log.openReadOnly(), against: against, publicKeyPath: pubkey)
        let chain = verification.chain
        switch output.format {
        case .json:
            var object: [String: JSONValue] = [
                "intact": .bool(chain.isIntact), "log_id": .string(chain.logID),
                "verified_size": .integer(chain.size), "head": .string(chain.head.hex),
                "warnings": .array(chain.warnings.map(JSONValue.string)),
                "integrity_problems": .array(chain.damage.map(JSONValue.string)),
            ]
            if let firstBreak = chain.firstBreak {
                object["break"] = [
                    "seq": .integer(firstBreak.seq), "kind": .string(firstBreak.kind.rawValue),
                    "detail": .string(firstBreak.detail),
                ]
            }
            if let against = verification.against {
                var fields: [String: JSONValue] = [
                    "size": .integer(against.checkpoint.size), "root": .string(against.checkpoint.root.hex),
                    "matches": .bool(against.matches),
                    "mismatch": against.failure.map { .string($0.description) } ?? .null,
                    "report_signature_checked": .bool(against.signatureChecked),
                    "log_size": .null, "log_root": .null, "consistency_proof": .null,
                ]
                if let consistency = against.consistency {
                    fields["log_size"] = .integer(consistency.current.size)
                    fields["log_root"] = .string(consistency.current.root.hex)
                    fields["consistency_proof"] = .array(consistency.proof.map { .string($0.hex) })
                }
                object["against"] = .object(fields)
            }
            emit(.object(object))
        case .text:
            for warning in chain.warnings { say("warning: \(warning)") }
            if chain.isIntact { say("intact: \(chain.size) events, head \(chain.head.hex)") }
            if let against = verification.against, against.matches, let current = against.consistency?.current {
                let checkpoint = against.checkpoint
                say(
                    "matches the report: its \(checkpoint.size) events still have root \(checkpoint.root.hex), "
                        + "proven a prefix of the log's \(current.size) (root \(current.root.hex))")
                if !against.signatureChecked {
                    say("note: the report's signature was not checked; give --pubkey to check it")
                }
            }
        }
        if let failure = verification.failure { throw failure }
    }
}
