import AuditCrypto
import AuditLog
import Foundation

/// The tlog-witness wire format (c2sp.org/tlog-witness), both directions, so client and server cannot drift.
public enum WitnessProtocol {
    /// The content type of a 409 body: the witness's current size in decimal and a newline.
    public static let sizeContentType = "text/x.tlog.size"
    /// The largest add-checkpoint body a witness reads: 63 proof lines and a note with many signatures fit.
    public static let maximumBodySize = 64 * 1024
    /// A consistency proof has at most 63 hashes for any tree size below 2^63.
    public static let maximumProofLines = 63

    /// An add-checkpoint request: the size the client believes the witness holds, the proof from it, the note.
    public struct AddCheckpoint: Sendable, Hashable {
        public var oldSize: Int64
        public var proof: [Digest]
        public var note: SignedNote

        public init(oldSize: Int64, proof: [Digest], note: SignedNote) {
            self.oldSize = oldSize
            self.proof = proof
            self.note = note
        }

        /// `old <size>\n`, one base64 hash per line, an empty line, then the signed checkpoint.
        public var body: String {
            "old \(oldSize)\n" + proof.map { Data($0.rawBytes).base64EncodedString() + "\n" }.joined() + "\n"
                + note.serialized
        }

        /// Parses a request body, refusing anything the protocol does not allow (400).
        public init(parsing bytes: [UInt8]) throws(WitnessError) {
            guard bytes.count <= maximumBodySize else { throw .tooLarge(limit: maximumBodySize) }
            var lines: [ArraySlice<UInt8>] = []
            var start = 0
            var rest: Int?
            // Header lines up to the first empty one; everything after it is the note.
            for index in bytes.indices where bytes[index] == 0x0A {
                let line = bytes[start..<index]
                start = index + 1
                if line.isEmpty {
                    rest = start
                    break
                }
                lines.append(line)
                guard lines.count <= 1 + maximumProofLines else {
                    throw .malformed("more than \(maximumProofLines) proof lines")
                }
            }
            guard let noteStart = rest, let first = lines.first else {
                throw .malformed("no empty line after the old size and proof lines")
            }
            guard let header = String(validating: first, as: UTF8.self), header.hasPrefix("old "),
                let size = Int64(header.dropFirst(4)), size >= 0, String(size) == header.dropFirst(4)
            else { throw .malformed("the first line is not 'old <size>'") }
            var proof: [Digest] = []
            for line in lines.dropFirst() {
                guard let text = String(validating: line, as: UTF8.self),
                    let raw = Data(base64Encoded: text).map(Array.init), let digest = Digest(raw),
                    Data(raw).base64EncodedString() == text
                else { throw .malformed("a proof line is not the base64 of 32 bytes") }
                proof.append(digest)
            }
            let note: SignedNote
            do { note = try SignedNote(parsing: Array(bytes[noteStart...])) } catch {
                throw .malformed(error.message)
            }
            self.init(oldSize: size, proof: proof, note: note)
        }
    }

    /// The path of the latest cosigned checkpoint of `origin`: lowercase hex SHA-256 of the origin line.
    public static func checkpointPath(origin: String) -> String {
        "\(SHA256.hash(Array(origin.utf8)).hex)/checkpoint"
    }

    /// Parses a 409 body: a decimal size and a newline.
    public static func parseSize(_ bytes: [UInt8]) -> Int64? {
        guard let text = String(validating: bytes, as: UTF8.self), text.hasSuffix("\n"),
            let size = Int64(text.dropLast()), size >= 0, String(size) == text.dropLast()
        else { return nil }
        return size
    }

    /// Parses a 200 body: one or more signature lines, each ending in a newline.
    public static func parseCosignatures(_ bytes: [UInt8]) throws(NoteError) -> [NoteSignature] {
        guard let text = String(validating: bytes, as: UTF8.self), text.hasSuffix("\n") else {
            throw .malformedNote("the cosignature lines do not end in a newline")
        }
        var signatures: [NoteSignature] = []
        for line in text.dropLast().split(separator: "\n", omittingEmptySubsequences: false) {
            signatures.append(try SignedNote.signature(line))
        }
        guard !signatures.isEmpty, signatures.count <= SignedNote.maximumSignatures else {
            throw .malformedNote("expected between 1 and \(SignedNote.maximumSignatures) cosignature lines")
        }
        return signatures
    }
}
