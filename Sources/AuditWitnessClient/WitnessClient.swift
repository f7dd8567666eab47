import AuditCore
import AuditCrypto
import AuditLog
import AuditWitness
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Why one witness did not cosign this time; the log keeps everything, the next submission retries.
public enum WitnessClientError: AuditFailure, Equatable, CustomStringConvertible {
    /// No answer: offline on site is normal (exit 74).
    case unreachable(witness: String, reason: String)
    /// The witness answered with a refusal other than a usable 409.
    case refused(witness: String, status: Int, reason: String)
    /// A 200 whose lines carry no valid cosignature by the witness's key: nothing is stored.
    case badCosignature(witness: String)
    /// The witness holds a larger tree of this log than the log has: the log lost events or was rewritten.
    case witnessAhead(witness: String, witnessSize: Int64, logSize: Int64)
    /// No witness is configured for this log.
    case noWitnesses
    /// A witness URL that is not absolute http or https.
    case invalidURL(String)

    public var exitStatus: SysExit {
        switch self {
        case .unreachable: .ioError
        case .refused, .badCosignature, .witnessAhead: .no
        case .noWitnesses: .notFound
        case .invalidURL: .invalidInput
        }
    }

    public var description: String {
        switch self {
        case .unreachable(let witness, let reason): "witness \(witness) is unreachable: \(reason)"
        case .refused(let witness, let status, let reason): "witness \(witness) refused (\(status)): \(reason)"
        case .badCosignature(let witness): "witness \(witness) returned no valid cosignature by its key"
        case .witnessAhead(let witness, let witnessSize, let logSize):
            "witness \(witness) has cosigned \(witnessSize) events of this log, which has \(logSize)"
        case .noWitnesses: "no witness is configured (add one with 'audit witness add VKEY --url URL')"
        case .invalidURL(let text): "'\(text)' is not an http or https URL"
        }
    }
}

/// How add-checkpoint requests reach a witness; a protocol so tests can put a witness in process.
public protocol WitnessTransport: Sendable {
    /// Posts `body` to `url` and returns the status and body, or throws `.unreachable`.
    func post(_ body: [UInt8], to url: URL, witness: String) async throws(WitnessClientError) -> (
        status: Int, body: [UInt8]
    )
}

/// Foundation's URLSession, with short timeouts: a missing network must not hold the technician up.
public struct URLSessionWitnessTransport: WitnessTransport {
    public let timeout: TimeInterval

    public init(timeout: TimeInterval = 10) { self.timeout = timeout }

    public func post(_ body: [UInt8], to url: URL, witness: String) async throws(WitnessClientError) -> (
        status: Int, body: [UInt8]
    ) {
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        request.setValue("text/plain; charset=utf-8", forHTTPHeaderField: "Content-Type")
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout * 2
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        do {
            let (data, response) = try await session.data(for: request)
            guard let http = response as? HTTPURLResponse else {
                throw WitnessClientError.unreachable(witness: witness, reason: "the answer is not HTTP")
            }
            guard data.count <= WitnessProtocol.maximumBodySize else {
                throw WitnessClientError.refused(
                    witness: witness, status: http.statusCode, reason: "the answer is larger than expected")
            }
            return (http.statusCode, Array(data))
        } catch let error as WitnessClientError {
            throw error
        } catch {
            throw .unreachable(witness: witness, reason: error.localizedDescription)
        }
    }
}

/// `audit witness submit`: the current checkpoint to every witness, each with its consistency proof.
public enum WitnessSubmission {
    /// One witness's outcome.
    public struct Outcome: Sendable {
        public var witness: LogWitness
        public var result: Result<CosignedCheckpoint, WitnessClientError>
    }

    /// Submits to every configured witness, one after the other; never throws for one witness's failure.
    ///
    /// A 409 teaches the witness's size and the request is retried once from there; a cosignature is verified
    /// against the witness's key and stored, with the witness's new size, before the next witness is asked.
    public static func submit(
        store: SQLiteEventStore, key: Ed25519PrivateKey, transport: any WitnessTransport = URLSessionWitnessTransport()
    ) async throws -> [Outcome] {
        let witnesses = try store.witnesses()
        guard !witnesses.isEmpty else { throw WitnessClientError.noWitnesses }
        let signer = try NoteSigner(name: store.origin, privateKey: key)
        var outcomes: [Outcome] = []
        for witness in witnesses {
            do {
                let cosigned = try await submit(to: witness, store: store, signer: signer, transport: transport)
                outcomes.append(Outcome(witness: witness, result: .success(cosigned)))
            } catch let error as WitnessClientError {
                outcomes.append(Outcome(witness: witness, result: .failure(error)))
            }
        }
        return outcomes
    }

    static func submit(
        to witness: LogWitness, store: SQLiteEventStore, signer: NoteSigner, transport: any WitnessTransport
    ) async throws -> CosignedCheckpoint {
        var oldSize = witness.cosignedSize ?? 0
        var retried = false
        while true {
            let (checkpoint, proofs) = try store.consistencyProofs(from: [oldSize])
            guard let proof = proofs[oldSize] ?? nil else {
                throw WitnessClientError.witnessAhead(
                    witness: witness.name, witnessSize: oldSize, logSize: checkpoint.size)
            }
            var note = SignedNote(
                text: TlogCheckpoint(origin: store.origin, size: checkpoint.size, root: checkpoint.root).text)
            note.sign(with: signer)
            let request = WitnessProtocol.AddCheckpoint(oldSize: oldSize, proof: proof, note: note)
            let (status, body) = try await transport.post(
                Array(request.body.utf8), to: try addCheckpointURL(witness.url), witness: witness.name)
            switch status {
            case 200:
                let lines: [NoteSignature]
                do { lines = try WitnessProtocol.parseCosignatures(body) } catch {
                    throw WitnessClientError.badCosignature(witness: witness.name)
                }
                guard
                    let line = lines.first(where: { Cosignature.verify($0, text: note.text, key: witness.key) != nil }),
                    let cosignature = Cosignature.verify(line, text: note.text, key: witness.key)
                else { throw WitnessClientError.badCosignature(witness: witness.name) }
                let cosigned = CosignedCheckpoint(
                    witness: witness.key, size: checkpoint.size, root: checkpoint.root,
                    cosignedAt: cosignature.timestamp,
                    note: SignedNote(text: note.text, signatures: note.signatures + [line]))
                try store.recordCosigned(cosigned)
                return cosigned
            case 409 where !retried:
                guard let size = WitnessProtocol.parseSize(body) else {
                    throw WitnessClientError.refused(
                        witness: witness.name, status: status, reason: "the 409 body is not a tree size")
                }
                guard size != oldSize else {
                    throw WitnessClientError.refused(
                        witness: witness.name, status: status,
                        reason: "it holds another tree of size \(size): this log is not the one it saw")
                }
                try store.setWitnessSize(named: witness.name, size: size)
                oldSize = size
                retried = true
            default:
                let reason =
                    String(decoding: body.prefix(200), as: UTF8.self)
                    .split(whereSeparator: \.isNewline).first.map(String.init) ?? "no reason given"
                throw WitnessClientError.refused(witness: witness.name, status: status, reason: reason)
            }
        }
    }

    static func addCheckpointURL(_ base: String) throws(WitnessClientError) -> URL {
        try WitnessURL.check(base)
        var text = base
        while text.hasSuffix("/") { text.removeLast() }
        guard let url = URL(string: text + "/add-checkpoint") else { throw .invalidURL(base) }
        return url
    }
}

/// A witness URL is absolute http or https, so `<url>/add-checkpoint` is a request a witness can answer.
public enum WitnessURL {
    public static func check(_ text: String) throws(WitnessClientError) {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            url.host != nil
        else { throw .invalidURL(text) }
    }
}

/// The HTTP submitter the report writer and the guided run are given by `audit`.
public struct HTTPCheckpointSubmitter: CheckpointSubmitter {
    public var transport: any WitnessTransport

    public init(transport: any WitnessTransport = URLSessionWitnessTransport()) { self.transport = transport }

    public func submit(store: SQLiteEventStore, key: Ed25519PrivateKey) async throws -> [WitnessOutcome] {
        try await WitnessSubmission.submit(store: store, key: key, transport: transport).map { outcome in
            WitnessOutcome(
                witness: outcome.witness,
                result: outcome.result.mapError { PresentedFailure($0.exitStatus, $0.description) })
        }
    }
}
