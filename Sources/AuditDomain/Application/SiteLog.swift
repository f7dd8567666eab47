import AuditCore
import AuditLog
import Foundation

/// The one way to write to the log: every append runs the admission gate inside the append's transaction.
///
/// `EventStore.append(_:guard:)` stays the log's primitive; no writer in this repository calls it with a domain
/// event except through here, so a new writer cannot forget the gate.
public struct SiteLog: Sendable {
    public let store: any EventStore
    /// The admission gate; tests lower its snapshot threshold to exercise snapshot rows on small sites.
    public let gate: SiteGate

    public init(_ store: any EventStore, gate: SiteGate = SiteGate()) {
        self.store = store
        self.gate = gate
    }

    /// Appends drafts of any type all or nothing, after the gate admits every new one against its site's state.
    public func append(_ drafts: [EventDraft]) throws(AuditLogError) -> [AppendResult] {
        try store.append(drafts, attaching: [], gate: gate)
    }

    /// Appends one draft through the gate.
    public func append(_ draft: EventDraft) throws(AuditLogError) -> AppendResult {
        try append([draft])[0]
    }

    /// Records one domain event; a known `eventID` returns its original seq and writes nothing.
    ///
    /// `evidence` holds copies of the files the event names (a photo), stored only if the gate admits it;
    /// with `correcting`, the observation supersedes the event it names.
    public func record(
        _ event: DomainEvent, site: String, stack: String? = nil, observedAt: Timestamp? = nil, actor: String,
        eventID: UUID = .version7(), attaching evidence: [[UInt8]] = [], correcting: CorrectionMark? = nil
    ) throws(AuditLogError) -> AppendResult {
        let draft = event.draft(
            site: site, stack: stack, observedAt: observedAt, actor: actor, eventID: eventID, correcting: correcting)
        return try store.append([draft], attaching: evidence, gate: gate)[0]
    }
}

extension SiteLog {
    /// Records a push start; what is not given defaults to the approved image and target the procedure started with.
    public func recordPushStarted(
        site: String, stack: String, imageSHA256: String?, targetVersion: String?, transport: String, attempt: Int,
        observedAt: Timestamp? = nil, actor: String, eventID: UUID = .version7()
    ) throws -> (DomainEvent, AppendResult) {
        let intent = try state(site: site).pushIntent(
            imageSHA256: imageSHA256, targetVersion: targetVersion, transport: transport, attempt: attempt)
        let event = DomainEvent.pushStarted(intent)
        return (
            event,
            try record(event, site: site, stack: stack, observedAt: observedAt, actor: actor, eventID: eventID)
        )
    }
}

/// Why a site cannot be read back; one line each.
public enum SiteLogError: AuditFailure, Equatable, CustomStringConvertible {
    /// The log holds no event for the site: an unknown site, not an empty one.
    case unknownSite(String)
    case log(AuditLogError)
    case domain(DomainError)

    public var description: String {
        switch self {
        case .unknownSite(let site): "unknown site '\(site)': the log has no events for it"
        case .log(let error): error.description
        case .domain(let error): error.description
        }
    }

    public var exitStatus: SysExit {
        switch self {
        case .unknownSite: .notFound
        case .log(let error): error.exitStatus
        case .domain(let error): error.exitStatus
        }
    }
}

/// One line of `audit sites`: where a site stands, when it was last written, and what the rules say.
public struct SiteSummary: Sendable, Hashable {
    public var site: String
    /// Nil for a site holding only generic events, which no procedure describes.
    public var phase: SitePhase?
    public var eventCount: Int
    public var lastSeq: Int64
    public var lastActivity: Timestamp
    /// Nil for a site holding only generic events.
    public var verdict: Verdict?
}

extension SiteLog {
    /// A site's rebuilt state; a site with no events is an unknown site.
    public func state(site: String) throws(SiteLogError) -> SiteState {
        let events: [LoggedEvent]
        do { events = try store.events(site: site) } catch { throw .log(error) }
        guard !events.isEmpty else { throw .unknownSite(site) }
        do { return try SiteProjection.rebuild(site: site, events: events) } catch { throw .domain(error) }
    }

    /// Every rule's finding for the site, worst first.
    public func check(site: String) throws(SiteLogError) -> SiteCheck {
        SiteCheck(try state(site: site))
    }

    /// Every site in the log, in the order it first appears.
    public func sites() throws(SiteLogError) -> [SiteSummary] {
        let events: [LoggedEvent]
        do { events = try store.events(EventFilter()) } catch { throw .log(error) }
        var order: [String] = []
        var bySite: [String: [LoggedEvent]] = [:]
        for event in events {
            if bySite[event.site] == nil { order.append(event.site) }
            bySite[event.site, default: []].append(event)
        }
        var summaries: [SiteSummary] = []
        for site in order {
            let all = bySite[site]!
            // Generic events can only predate a registration (the gate refuses them after it): fold the rest.
            let domain = all.filter { EventType(rawValue: $0.type) != nil }
            var summary = SiteSummary(
                site: site, phase: nil, eventCount: all.count, lastSeq: all.last!.seq,
                lastActivity: all.last!.observedAt, verdict: nil)
            if !domain.isEmpty {
                let state: SiteState
                do { state = try SiteProjection.rebuild(site: site, events: domain) } catch { throw .domain(error) }
                summary.phase = state.phase
                summary.verdict = Verdict.overall(Rules.evaluate(state))
            }
            summaries.append(summary)
        }
        return summaries
    }
}
