import AuditCollector
import AuditCrypto
import AuditDomain
import AuditLog
import AuditSyncProtocol
import AuditTestSupport
import Foundation
import Logging
import Testing

/// The PostgreSQL store writes a chunk's rows with COPY's text format: every byte COPY escapes comes back as
/// it was sent, and a row COPY cannot carry (a NUL) takes the INSERT path and is refused as before.
@Suite struct CopyIngestTests {
    /// A scenario's events with awkward text spliced in, re-hashed and re-chained so they pass the checks.
    static func awkwardEvents(logID: String) throws -> [LoggedEvent] {
        let log = InMemoryEventStore(logID: logID)
        _ = try SiteLog(log).append(ScenarioBuilder(site: "site-1").build().drafts)
        var events = try log.events(EventFilter())
        events[1].actor = "back\\slash, tab\t, CR\r, LF\n, \\N, end\\"
        events[2].payload = #"{"note":"a\\b\tc\n","path":"C:\\temp\\N"}"#
        events[3].stack = nil
        events[5].eventID = "id\twith\ttabs"
        var previous = ChainHash.genesis(logID: logID)
        for index in events.indices {
            events[index].prevHash = previous
            events[index].hash = ChainHash.hash(of: events[index])
            previous = events[index].hash
        }
        return events
    }

    @Test func escapedBytesComeBackAsSentAndANulIsRefused() async throws {
        let database = try await PostgresCluster.shared.database()
        var logger = Logger(label: "audit-collector.test")
        logger.logLevel = .warning
        let postgres = PostgresCollectorStore(url: try DatabaseURL(parsing: database), logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await postgres.client.run() }
            defer { group.cancelAll() }
            try await postgres.migrate()
            try await postgres.enroll(name: "ann", publicKey: try Ed25519PrivateKey.generate().publicKey)
            let logID = "00000000-copy"
            let events = try Self.awkwardEvents(logID: logID)
            let outcome = try await postgres.append(logID: logID, installer: "ann", chunk: events)
            #expect(outcome == AppendOutcome(appended: events.count, size: Int64(events.count)))
            #expect(try await postgres.events(logID: logID, site: "site-1") == events)
            #expect(try await postgres.state(logID: logID)?.head == events.last?.hash)

            // A NUL byte: PostgreSQL's text cannot hold it, through INSERT as before; nothing is stored.
            let other = "00000000-nul"
            var withNul = try Self.awkwardEvents(logID: other)
            withNul[0].actor = "nul\u{0}here"
            withNul[0].hash = ChainHash.hash(of: withNul[0])
            withNul[1].prevHash = withNul[0].hash
            for index in withNul.indices.dropFirst() {
                withNul[index].prevHash = withNul[index - 1].hash
                withNul[index].hash = ChainHash.hash(of: withNul[index])
            }
            await #expect(throws: SyncError.self) {
                try await postgres.append(logID: other, installer: "ann", chunk: withNul)
            }
            #expect(try await postgres.state(logID: other) == nil)
        }
    }
}
