import ArgumentParser
import AuditLog
import AuditReports
import Foundation

struct VerifyReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-report",
        abstract: "Check a report folder: signature, canonical JSON, event hashes and proofs, replayed verdicts.")

    @Argument(help: "The report folder holding report.json and report.json.sig.")
    var directory: String

    @Option(name: .long, help: "The signer's public key PEM (signing-key.pub.pem).")
    var pubkey: String

    @Option(
        name: .customLong("witness"),
        help: "A witness you trust (its cosignature/v1 verifier key); repeat for each. Requires its cosignature.")
    var witnesses: [String] = []

    @Option(help: "With --witness: how many of the given witnesses must have cosigned (default: all of them).")
    var quorum: Int?

    @OptionGroup var output: FormatOptions

    func validate() throws {
        if quorum != nil, witnesses.isEmpty { throw ValidationError("--quorum goes with --witness") }
    }

    func run() throws {
        let policy =
            try witnesses.isEmpty
            ? nil : WitnessPolicy(witnesses: witnesses.map(NoteVerifierKey.init(parsing:)), quorum: quorum)
        let report = try ReportVerifier.verify(
            directory: URL(fileURLWithPath: directory), publicKeyPath: pubkey, policy: policy)
        let cosignatures = report.witnessing.cosignatures
        switch output.format {
        case .json:
            emit([
                "valid": true, "site": .string(report.site), "verdict": .string(report.verdict.rawValue),
                "key_id": .string(report.keyID), "events": .integer(Int64(report.events.count)),
                "checkpoint_size": .integer(report.checkpoint.size), "mode": .string(report.mode.rawValue),
                "witnessing": .string(report.witnessing.status.rawValue),
                "cosignatures": .array(
                    cosignatures.map {
                        [
                            "witness": .string($0.witness.name), "cosigned_at": .string($0.time.rfc3339),
                            "trusted": .string(policy?.witnesses.contains($0.witness) == true ? "policy" : "unchecked"),
                        ]
                    }),
                "witness_policy": policy.map {
                    ["witnesses": .integer(Int64($0.witnesses.count)), "quorum": .integer(Int64($0.quorum))]
                } ?? .null,
            ])
        case .text:
            say(
                "valid: report for site \(report.site) signed by key \(report.keyID); verdict "
                    + "\(report.verdict.rawValue.uppercased()) re-derived from \(report.events.count) events, "
                    + "each proven against checkpoint root \(report.checkpoint.root.hex) (size \(report.checkpoint.size))"
            )
            switch report.mode {
            case .simulation: say("SIMULATION: this report is of a simulated run, not of work on a site")
            case .notRecorded: say("note: the report does not say whether its pushes were simulated")
            case .visit: break
            }
            if cosignatures.isEmpty {
                say("NOT WITNESSED: no witness cosigned the checkpoint; only the signer's key vouches for the log")
            }
            for cosignature in cosignatures {
                let trust =
                    switch policy?.witnesses.contains(cosignature.witness) {
                    case nil: " (its key is not checked against a policy: give --witness)"
                    case true?: ""
                    case false?: " (not a witness of the given policy)"
                    }
                say("witnessed by \(cosignature.witness.name) at \(cosignature.time.rfc3339)\(trust)")
            }
            if let policy {
                let met = policy.witnesses.filter(report.witnessing.witnesses.contains).count
                say(
                    "witness policy met: \(met) of \(policy.witnesses.count) trusted witnesses cosigned (quorum \(policy.quorum))"
                )
            }
        }
    }
}
