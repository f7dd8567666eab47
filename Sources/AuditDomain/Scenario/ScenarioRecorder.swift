import AuditLog
import Foundation

/// Accumulates drafts with a clock that only moves forward; event ids are derived, so output is reproducible.
struct ScenarioRecorder {
    let site: String
    let actor: String
    var now: Timestamp
    var drafts: [EventDraft] = []
    var evidence: [String: [String]] = [:]
    private let siteHash: UInt64

    init(site: String, actor: String, start: Timestamp) {
        self.site = site
        self.actor = actor
        now = start
        // FNV-1a, so two sites' ids never collide when their runs share one log.
        siteHash = site.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }

    /// Appends one event `after` milliseconds past the previous one; returns its event id.
    @discardableResult
    mutating func emit(_ event: DomainEvent, stack: String? = nil, after milliseconds: Int64 = 1_000) -> String {
        now = now.adding(milliseconds: milliseconds)
        let draft = event.draft(site: site, stack: stack, observedAt: now, actor: actor, eventID: nextID())
        drafts.append(draft)
        return draft.eventID
    }

    /// Records that `rule`'s failing finding must cite these events.
    mutating func mark(_ rule: String, _ ids: String...) {
        evidence[rule, default: []] += ids
    }

    private func nextID() -> UUID {
        let counter = UInt64(drafts.count + 1)
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<8 {
            bytes[index] = UInt8(truncatingIfNeeded: siteHash >> UInt64(56 - 8 * index))
            bytes[8 + index] = UInt8(truncatingIfNeeded: counter >> UInt64(56 - 8 * index))
        }
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
                bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }
}
