import ArgumentParser
import AuditCrypto
import AuditDomain
import AuditLog
import Foundation

/// What every `audit record` kind shares: where, when, who, and the idempotency key.
struct RecordOptions: ParsableArguments {
    @OptionGroup var log: LogOptions
    @OptionGroup var output: FormatOptions

    @Option(help: "The site.") var site: String
    @Option(name: .customLong("observed-at"), help: "When it was observed on site (RFC 3339); default now.")
    var observedAt: String?
    @Option(help: "Who observed it (default: $AUDIT_ACTOR, else the login name).") var actor: String?
    @Option(name: .customLong("event-id"), help: "A client UUID; recording it again records nothing new.")
    var eventID: String?

    func validate() throws {
        if let observedAt, Timestamp(rfc3339: observedAt) == nil {
            throw ValidationError("--observed-at '\(observedAt)' is not an RFC 3339 time")
        }
        if let eventID, UUID(uuidString: eventID) == nil {
            throw ValidationError("--event-id '\(eventID)' is not a UUID")
        }
    }

    /// Appends the observation if the site's rebuilt state admits it, in one transaction; nothing is written on refusal.
    func record(_ event: DomainEvent, stack: String? = nil, attaching evidence: [[UInt8]] = []) throws {
        let store = try log.open()
        let result: AppendResult
        let draft = event.draft(
            site: site, stack: stack, observedAt: observedAt.flatMap { Timestamp(rfc3339: $0) },
            actor: actor ?? LogLocation.defaultActor(), eventID: eventID.flatMap(UUID.init(uuidString:)) ?? .version7())
        do {
            result = try store.append([draft], attaching: evidence, guard: SiteAdmission.check)[0]
        } catch {
            throw CommandFailure(error)
        }
        switch output.format {
        case .json:
            emit(["seq": .integer(result.seq), "hash": .string(result.hash.hex), "type": .string(event.type.rawValue)])
        case .text:
            print("\(result.inserted ? "recorded" : "already recorded") \(event.type.rawValue) seq \(result.seq)")
        }
    }
}

/// Turns a domain parser's refusal into a usage error naming the option.
func parsed<T>(_ option: String, _ body: () throws(DomainError) -> T) throws -> T {
    do { return try body() } catch { throw ValidationError("\(option): \(error)") }
}
