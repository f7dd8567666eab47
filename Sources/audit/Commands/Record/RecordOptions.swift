import ArgumentParser
import AuditCore
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
    @Option(help: "Who observed it (default: the log's installer, else $AUDIT_ACTOR, else the login name).")
    var actor: String?
    @Option(name: .customLong("event-id"), help: "A client UUID; recording it again records nothing new.")
    var eventID: String?

    /// Appends the observation if the site's rebuilt state admits it, in one transaction; nothing is written on refusal.
    func record(
        _ event: DomainEvent, stack: String? = nil, attaching evidence: [[UInt8]] = [],
        correcting correction: CorrectionOptions? = nil
    ) throws {
        let context = try writeContext()
        let result = try log.siteLog().record(
            event, site: site, stack: stack, observedAt: context.observedAt, actor: context.actor,
            eventID: context.eventID, attaching: evidence, correcting: correction?.mark)
        acknowledge(event, result)
    }

    /// Records a photo with a copy of its file kept in the log.
    func attachPhoto(file: String, stack: String?, caption: String?, correcting correction: CorrectionOptions) throws {
        let context = try writeContext()
        let (event, result) = try log.siteLog().attachPhoto(
            file: file, site: site, stack: stack, caption: caption, observedAt: context.observedAt,
            actor: context.actor, eventID: context.eventID, correcting: correction.mark)
        acknowledge(event, result)
    }

    /// Records a push start, defaulting the image and target to the procedure's.
    func recordPushStarted(stack: String, imageSHA256: String?, targetVersion: String?, attempt: Int) throws {
        let context = try writeContext()
        let (event, result) = try log.siteLog().recordPushStarted(
            site: site, stack: stack, imageSHA256: imageSHA256, targetVersion: targetVersion, transport: "manual",
            attempt: attempt, observedAt: context.observedAt, actor: context.actor, eventID: context.eventID)
        acknowledge(event, result)
    }

    /// When, who and which id: a time or an id that cannot be read is invalid input naming its option.
    private func writeContext() throws -> (observedAt: Timestamp?, actor: String, eventID: UUID) {
        (try parseObservedAt(observedAt), try log.actor(actor), try parseEventID(eventID))
    }

    private func acknowledge(_ event: DomainEvent, _ result: AppendResult) {
        switch output.format {
        case .json:
            emit(["seq": .integer(result.seq), "hash": .string(result.hash.hex), "type": .string(event.type.rawValue)])
        case .text:
            say("\(result.inserted ? "recorded" : "already recorded") \(event.type.rawValue) seq \(result.seq)")
        }
    }
}

/// What makes an observation a correction by hand: the seq it supersedes and why (docs/DOMAIN.md, Corrections).
struct CorrectionOptions: ParsableArguments {
    @Option(help: "The seq of the earlier observation this one corrects (it stays in the log).") var corrects: Int64?
    @Option(help: "With --corrects: why the earlier observation was wrong.") var reason: String?

    /// Each flag needs the other: a correction without a reason, or a reason without a target, is a usage error.
    func validate() throws {
        if corrects != nil, reason == nil { throw ValidationError("--corrects needs --reason: say why it is wrong") }
        if reason != nil, corrects == nil { throw ValidationError("--reason needs --corrects SEQ") }
    }

    /// Nil for an ordinary observation; the domain refuses an empty reason or a seq it cannot correct.
    var mark: CorrectionMark? {
        guard let corrects, let reason else { return nil }
        return CorrectionMark(corrects: corrects, reason: reason)
    }
}

/// Names the option in a domain parser's refusal, keeping its status (65: the text parses, the value is not valid).
func parsed<T>(_ option: String, _ body: () throws(DomainError) -> T) throws -> T {
    do { return try body() } catch { throw PresentedFailure(context: option, error) }
}
