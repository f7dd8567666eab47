extension SyncClientError {
    var isUnreachable: Bool {
        if case .unreachable = self { return true }
        return false
    }
}

/// Bounded retry with exponential backoff for what a retry can cure: a cut connection or a 5xx (the collector or
/// its PostgreSQL restarting). A 4xx is the collector's decision and is never sent again.
///
/// Retrying is safe: a chunk the collector already stored is a no-op when sent again, a checkpoint already
/// cosigned returns the stored cosignature.
public struct SyncRetry: Sendable, Hashable {
    /// Attempts after the first one; 0 sends each request once.
    public var retries: Int
    /// The wait before the first retry; each next wait doubles, up to `maximumDelay`.
    public var initialDelay: Duration
    public var maximumDelay: Duration

    public init(retries: Int = 6, initialDelay: Duration = .milliseconds(250), maximumDelay: Duration = .seconds(4)) {
        self.retries = max(0, retries)
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    /// Whether an answer is worth sending again: 5xx only.
    public static func isTransient(status: Int) -> Bool { (500...599).contains(status) }

    /// The wait before retry number `attempt` (0 for the first retry).
    public func delay(beforeRetry attempt: Int) -> Duration {
        var delay = initialDelay
        for _ in 0..<min(attempt, 30) where delay < maximumDelay { delay *= 2 }
        return min(delay, maximumDelay)
    }

    /// Runs `request` until it answers below 500, throws something other than `.unreachable`, or the retries
    /// are spent; then the last answer or error stands.
    public func run(
        _ request: () async throws(SyncClientError) -> (status: Int, body: [UInt8])
    ) async throws(SyncClientError) -> (status: Int, body: [UInt8]) {
        var attempt = 0
        while true {
            let outcome: Result<(status: Int, body: [UInt8]), SyncClientError>
            do { outcome = .success(try await request()) } catch { outcome = .failure(error) }
            switch outcome {
            case .success(let answer) where !Self.isTransient(status: answer.status): return answer
            case .failure(let error) where !error.isUnreachable: throw error
            default: break
            }
            // Spent, or cancelled while waiting: the last answer or error is the outcome.
            guard attempt < retries else { return try outcome.get() }
            do { try await Task.sleep(for: delay(beforeRetry: attempt)) } catch { return try outcome.get() }
            attempt += 1
        }
    }
}
