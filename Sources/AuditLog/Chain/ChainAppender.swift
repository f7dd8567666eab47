import AuditCrypto

/// Turns drafts into chained rows; shared by every store so they all hash the same way.
/// `package` so the in-memory store of AuditTestSupport seals rows exactly as SQLite does.
package struct ChainAppender {
    package var nextSeq: Int64
    package var lastHash: Digest
    package let recordedAt: Timestamp
    package let recordedAtText: String
    let hasher = SHA256Hasher()
    private var message: [UInt8] = []

    package init(nextSeq: Int64, lastHash: Digest, recordedAt: Timestamp) {
        self.nextSeq = nextSeq
        self.lastHash = lastHash
        self.recordedAt = recordedAt
        // One batch shares one append time: render it once.
        recordedAtText = recordedAt.rfc3339
    }

    package mutating func seal(_ draft: EventDraft) -> LoggedEvent {
        seal(draft, observedAtText: draft.observedAtText ?? recordedAtText)
    }

    /// Seals with the observed time already rendered, for stores that write the text form anyway.
    mutating func seal(_ draft: EventDraft, observedAtText: String) -> LoggedEvent {
        let payload = draft.canonicalData
        let observedAt = draft.observedAt ?? recordedAt
        let hash = ChainHash.hash(
            prevHash: lastHash, seq: nextSeq, eventID: draft.eventID, site: draft.site, stack: draft.stack,
            type: draft.type, payload: payload, observedAt: observedAtText, recordedAt: recordedAtText,
            actor: draft.actor, using: hasher, buffer: &message)
        let event = LoggedEvent(
            seq: nextSeq, eventID: draft.eventID, site: draft.site, stack: draft.stack, type: draft.type,
            payload: payload, observedAt: observedAt, recordedAt: recordedAt, actor: draft.actor,
            prevHash: lastHash, hash: hash)
        nextSeq += 1
        lastHash = hash
        return event
    }

    /// A retry must carry the same content; the same id with other content is a client bug, not a retry.
    package static func isRetry(of existing: LoggedEvent, _ draft: EventDraft) -> Bool {
        // Bytes, not String equality: Swift equates canonically equivalent text, the hash does not.
        func same(_ lhs: String?, _ rhs: String?) -> Bool {
            lhs == nil ? rhs == nil : rhs.map { lhs!.utf8.elementsEqual($0.utf8) } ?? false
        }
        return same(existing.site, draft.site) && same(existing.stack, draft.stack) && same(existing.type, draft.type)
            && same(existing.payload, draft.canonicalData)
            && (draft.observedAt == nil || draft.observedAt == existing.observedAt)
    }

    /// Runs the guard once per site over the drafts not already in the log, in batch order.
    package static func runGuard(
        _ guardCheck: AppendGuard, drafts: [EventDraft], isLogged: (String) throws -> Bool,
        events: (String) throws -> [LoggedEvent]
    ) throws {
        var seen = Set<String>()
        var sites: [String] = []
        var bySite: [String: [EventDraft]] = [:]
        for draft in drafts where seen.insert(draft.eventID).inserted {
            guard try !isLogged(draft.eventID) else { continue }
            if bySite[draft.site] == nil { sites.append(draft.site) }
            bySite[draft.site, default: []].append(draft)
        }
        for site in sites {
            do { try guardCheck(site, try events(site), bySite[site]!) } catch let error as AuditLogError {
                throw error
            } catch {
                throw AuditLogError.refused(error)
            }
        }
    }

    package static func validate(_ drafts: [EventDraft]) throws(AuditLogError) {
        // By index, not `enumerated()`: each draft the iterator hands out is a copy, retaining its texts.
        for index in drafts.indices {
            do { try drafts[index].validateUnlessPrepared() } catch { throw .invalidEvent(index: index, error) }
        }
    }

    /// How far an observed time may run ahead of the log's clock: enough for two clocks a little apart, never
    /// enough to claim a pause that has not happened yet.
    public static let observedLeadMilliseconds: Int64 = 5_000

    /// Refuses a draft observed more than `observedLeadMilliseconds` after the time the log records it.
    package static func validate(_ drafts: [EventDraft], recordedAt: Timestamp) throws(AuditLogError) {
        for index in drafts.indices {
            guard let observed = drafts[index].observedAt,
                observed.milliseconds(since: recordedAt) > observedLeadMilliseconds
            else { continue }
            throw .invalidEvent(index: index, .observedInFuture(observed: observed, recorded: recordedAt))
        }
    }
}
