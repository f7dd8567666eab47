import AuditCore
import AuditCrypto

/// One witness's answer to a submission of the log's current checkpoint.
public struct WitnessOutcome: Sendable {
    public var witness: LogWitness
    /// The verified, stored cosigned checkpoint, or why this witness did not cosign this time.
    public var result: Result<CosignedCheckpoint, PresentedFailure>

    public init(witness: LogWitness, result: Result<CosignedCheckpoint, PresentedFailure>) {
        self.witness = witness
        self.result = result
    }
}

/// Sends the log's current checkpoint to its witnesses.
///
/// A protocol here so the report writer and the guided run can ask for witnessing without linking the
/// HTTP client: `AuditWitnessClient` holds the real one, tests an in-process one.
public protocol CheckpointSubmitter: Sendable {
    /// Every configured witness's outcome, each cosignature verified and stored before it is returned.
    ///
    /// Throws only for what stops every witness at once (none configured, the log unreadable).
    func submit(store: SQLiteEventStore, key: Ed25519PrivateKey) async throws -> [WitnessOutcome]
}
