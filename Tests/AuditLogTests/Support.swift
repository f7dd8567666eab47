import Foundation

@testable import AuditLog

func draft(
    _ site: String = "site-a", _ type: String = "note.added", data: JSONValue = ["text": "hello"], id: UUID = UUID()
)
    -> EventDraft
{
    EventDraft(eventID: id, site: site, type: type, data: data, actor: "tester")
}

let fixedStart = Timestamp(rfc3339: "2026-11-25T08:00:00Z")!
