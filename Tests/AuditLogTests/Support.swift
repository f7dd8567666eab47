import Foundation

@testable import AuditLog

/// A fresh directory per test, removed when the test ends.
struct TemporaryDirectory: ~Copyable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appending(path: "audit-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appending(path: name).path }
}

func draft(
    _ site: String = "site-a", _ type: String = "note.added", data: JSONValue = ["text": "hello"], id: UUID = UUID()
)
    -> EventDraft
{
    EventDraft(eventID: id, site: site, type: type, data: data, actor: "tester")
}

let fixedStart = Timestamp(rfc3339: "2026-11-25T08:00:00Z")!
