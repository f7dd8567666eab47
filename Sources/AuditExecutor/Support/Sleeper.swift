import AuditLog

/// Waiting, injected so tests and the simulator can skip real time.
public protocol Sleeper: Sendable {
    func sleep(milliseconds: Int64) async throws
}

/// Sleeps for real, for the CLI.
public struct TaskSleeper: Sleeper {
    public init() {}

    public func sleep(milliseconds: Int64) async throws {
        try await Task.sleep(for: .milliseconds(max(0, milliseconds)))
    }
}

/// Advances a `ManualClock` instead of waiting, so timeouts in tests take no wall time yet durations add up.
public struct ClockAdvancingSleeper: Sleeper {
    public let clock: ManualClock

    public init(clock: ManualClock) { self.clock = clock }

    public func sleep(milliseconds: Int64) async throws {
        try Task.checkCancellation()
        clock.advance(milliseconds: max(0, milliseconds))
        await Task.yield()
    }
}
