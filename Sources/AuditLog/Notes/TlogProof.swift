import AuditCrypto
import Foundation

/// An offline proof that an entry is in a log (c2sp.org/tlog-proof@v1): the header, optional extra data, the
/// entry's index, its RFC 6962 inclusion path, a blank line, then the (cosigned) checkpoint note verbatim.
public struct TlogProof: Sendable, Hashable {
    public static let header = "c2sp.org/tlog-proof@v1"
    /// The spec's recommended file extension.
    public static let fileExtension = "tlog-proof"

    /// Opaque, unauthenticated data; `audit` puts the entry itself there (the event's 32-byte chain hash).
    public var extra: [UInt8]?
    /// Zero-based leaf index.
    public var index: Int64
    /// Sibling hashes from the leaf up to the root's child.
    public var hashes: [Digest]
    public var checkpoint: SignedNote

    public init(extra: [UInt8]? = nil, index: Int64, hashes: [Digest], checkpoint: SignedNote) {
        self.extra = extra
        self.index = index
        self.hashes = hashes
        self.checkpoint = checkpoint
    }

    /// The file's bytes, byte for byte as the spec lays them out.
    public var text: String {
        var lines = [Self.header]
        if let extra { lines.append("extra " + Data(extra).base64EncodedString()) }
        lines.append("index \(index)")
        lines += hashes.map { Data($0.rawBytes).base64EncodedString() }
        return lines.map { $0 + "\n" }.joined() + "\n" + checkpoint.serialized
    }

    public init(parsing bytes: [UInt8]) throws(NoteError) {
        guard let whole = String(validating: bytes, as: UTF8.self) else { throw .malformedNote("it is not UTF-8") }
        guard let blank = whole.range(of: "\n\n") else {
            throw .malformedNote("no blank line separates the proof from its checkpoint")
        }
        var lines = whole[..<blank.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)[...]
        guard lines.popFirst() == Substring(Self.header) else {
            throw .malformedNote("a tlog proof starts with the line \(Self.header)")
        }
        var extra: [UInt8]?
        if let line = lines.first, line.hasPrefix("extra ") {
            guard let data = Data(base64Encoded: String(line.dropFirst(6))) else {
                throw .malformedNote("the extra line is not base64")
            }
            extra = Array(data)
            lines.removeFirst()
        }
        guard let indexLine = lines.popFirst(), indexLine.hasPrefix("index "),
            let index = Int64(indexLine.dropFirst(6)), index >= 0, String(index) == indexLine.dropFirst(6)
        else { throw .malformedNote("the index line is 'index N', N in decimal without leading zeros") }
        var hashes: [Digest] = []
        for line in lines {
            guard let raw = Data(base64Encoded: String(line)), let digest = Digest(Array(raw)) else {
                throw .malformedNote("an inclusion proof line is not the base64 of 32 bytes")
            }
            hashes.append(digest)
        }
        self.init(
            extra: extra, index: index, hashes: hashes,
            checkpoint: try SignedNote(parsing: Array(whole[blank.upperBound...].utf8)))
    }
}
