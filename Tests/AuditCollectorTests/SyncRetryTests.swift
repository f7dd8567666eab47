import AuditSyncClient
import Foundation
import Testing

/// The sync client's bounded retry: cut connections and 5xx are sent again with backoff, a 4xx never.
@Suite struct SyncRetryTests {
    /// Answers from a script, one per attempt, counting the attempts.
    final class Script: @unchecked Sendable {
        private let lock = NSLock()
        private var answers: [Result<Int, SyncClientError>]
        private(set) var attempts = 0

        init(_ answers: [Result<Int, SyncClientError>]) { self.answers = answers }

        func next() throws(SyncClientError) -> (status: Int, body: [UInt8]) {
            let answer = lock.withLock {
                attempts += 1
                return answers.removeFirst()
            }
            return (try answer.get(), [])
        }
    }

    static let cut = SyncClientError.unreachable(url: "http://collector", reason: "the connection was cut")
    let retry = SyncRetry(retries: 3, initialDelay: .milliseconds(1), maximumDelay: .milliseconds(2))

    @Test func aCutConnectionAndA503AreRetriedUntilAnAnswer() async throws {
        let script = Script([.failure(Self.cut), .success(503), .success(200)])
        let answer = try await retry.run { () throws(SyncClientError) in try script.next() }
        #expect(answer.status == 200)
        #expect(script.attempts == 3)
    }

    @Test(arguments: [400, 401, 403, 404, 409, 413, 415])
    func a4xxIsNeverRetried(status: Int) async throws {
        let script = Script([.success(status), .success(200)])
        let answer = try await retry.run { () throws(SyncClientError) in try script.next() }
        #expect(answer.status == status)
        #expect(script.attempts == 1)
    }

    @Test func theRetriesAreBoundedAndTheLastFailureStands() async throws {
        let script = Script(Array(repeating: .failure(Self.cut), count: 4) + [.success(200)])
        await #expect(throws: Self.cut) { try await retry.run { () throws(SyncClientError) in try script.next() } }
        #expect(script.attempts == 4)
        let busy = Script(Array(repeating: .success(503), count: 4) + [.success(200)])
        #expect(try await retry.run { () throws(SyncClientError) in try busy.next() }.status == 503)
        #expect(busy.attempts == 4)
    }

    @Test func theBackoffDoublesUpToItsCap() {
        let retry = SyncRetry(retries: 6, initialDelay: .milliseconds(250), maximumDelay: .seconds(4))
        #expect(
            (0..<7).map(retry.delay(beforeRetry:)) == [
                .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(4), .seconds(4),
            ])
    }
}
