import AuditCrypto
import AuditLog

/// The three files of a report, ready to write: the signature covers report.json's bytes exactly.
public struct SignedReport: Sendable {
    public var report: Report
    public var json: [UInt8]
    /// Raw 64-byte Ed25519 signature over `json`.
    public var signature: [UInt8]
    public var html: String
}

/// Serialises, signs and renders a report.
public enum ReportSigner {
    public static func sign(_ report: Report, with key: Ed25519PrivateKey) throws(ReportError) -> SignedReport {
        guard report.keyID == key.keyID else {
            throw .malformed("the report names key \(report.keyID) but is being signed with key \(key.keyID)")
        }
        let json = report.canonicalBytes
        return SignedReport(
            report: report, json: json, signature: key.sign(json), html: try HTMLRenderer.render(report))
    }
}

extension SignedReport {
    /// A report received as its signed bytes (from a collector): replayed, so its page and proofs are this build's.
    public init(json: [UInt8], signature: [UInt8]) throws(ReportError) {
        let value: JSONValue
        do { value = try JSONValue(parsing: json) } catch { throw .malformed("report.json: \(error)") }
        let report = try ReportBuilder.build(try ReportInputs(json: value))
        self.init(report: report, json: json, signature: signature, html: try HTMLRenderer.render(report))
    }
}
