import AuditCore
import Foundation

/// An event as a client submits it, before the log assigns its seq, time and hashes.
public struct EventDraft: Sendable, Hashable {
    /// Lowercase UUID text; generated when the client sends none, so retries can be made idempotent.
    public var eventID: String { didSet { isValid = false } }
    public var site: String { didSet { isValid = false } }
    public var stack: String? { didSet { isValid = false } }
    public var type: String { didSet { isValid = false } }
    /// Always a JSON object.
    public var data: JSONValue {
        didSet {
            renderedData = nil
            isValid = false
        }
    }
    /// When it happened on site; the append time when omitted.
    public var observedAt: Timestamp? { didSet { renderedObservedAt = nil } }
    public var actor: String { didSet { isValid = false } }

    // Work done once where a draft is parsed (a batch's parse thread), so the store's thread, which bounds a
    // batch append, does not repeat it. Each is cleared when a field it depends on changes, and none is part of
    // the draft's value (`==`, `hash`).
    /// `data.canonicalText`.
    private var renderedData: String?
    /// `observedAt?.rfc3339`.
    private var renderedObservedAt: String?
    /// `validate()` passed for the fields as they are.
    private var isValid = false

    public init(
        eventID: UUID = .version7(), site: String, stack: String? = nil, type: String, data: JSONValue = [:],
        observedAt: Timestamp? = nil, actor: String
    ) {
        self.eventID = eventID.uuidString.lowercased()
        self.site = site
        self.stack = stack
        self.type = type
        self.data = data
        self.observedAt = observedAt
        self.actor = actor
    }

    /// The payload as the log stores and hashes it (FORMAT.md §1).
    public var canonicalData: String { renderedData ?? data.canonicalText }

    /// The observed time as the log stores and hashes it; nil when the append time stands in.
    public var observedAtText: String? { renderedObservedAt ?? observedAt?.rfc3339 }

    /// Validates the draft and renders its payload and observed time now, on the calling thread, so a store
    /// need not do either again while the draft is unchanged.
    public mutating func prepare() throws(EventValidationError) {
        try validate()
        isValid = true
        renderedData = data.canonicalText
        renderedObservedAt = observedAt?.rfc3339
    }

    /// `validate()`, skipped when `prepare()` already passed for the fields as they are.
    public func validateUnlessPrepared() throws(EventValidationError) {
        if !isValid { try validate() }
    }

    public static func == (lhs: EventDraft, rhs: EventDraft) -> Bool {
        lhs.eventID == rhs.eventID && lhs.site == rhs.site && lhs.stack == rhs.stack && lhs.type == rhs.type
            && lhs.data == rhs.data && lhs.observedAt == rhs.observedAt && lhs.actor == rhs.actor
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(eventID)
        hasher.combine(site)
        hasher.combine(stack)
        hasher.combine(type)
        hasher.combine(data)
        hasher.combine(observedAt)
        hasher.combine(actor)
    }

    /// Rejects what the log would otherwise store ambiguously.
    public func validate() throws(EventValidationError) {
        func check(_ value: String, _ field: String) throws(EventValidationError) {
            guard !value.isEmpty else { throw .empty(field) }
            guard value.utf8.count <= 256 else { throw .tooLong(field) }
            if let scalar = value.firstHiddenControl { throw .controlCharacter(field, scalar) }
        }
        try check(site, "site")
        if let stack { try check(stack, "stack") }
        try check(type, "type")
        try check(actor, "actor")
        // Nobody can be held to "unknown": what the login name used to become when none was set.
        guard !Self.namesNobody(actor) else { throw .noActor(actor) }
        guard case .object = data else { throw .dataNotObject }
    }
}

extension EventDraft {
    /// "unknown" up to case and the spaces and tabs around it, or only whitespace. Scalar by scalar rather than
    /// Foundation's `trimmingCharacters`, whose bridging through UTF-16 cost a tenth of a batch append.
    /// The other whitespace (line breaks, U+0085, U+2028) is a hidden control, refused before this is asked.
    static func namesNobody(_ actor: String) -> Bool {
        // Beyond ASCII a character may be a space with a combining mark (" \u{301}"), whitespace as a Character.
        if !actor.utf8.allSatisfy({ $0 < 0x80 }), actor.allSatisfy(\.isWhitespace) { return true }
        // CharacterSet.whitespaces: general category Zs and U+0009.
        func isSpace(_ scalar: Unicode.Scalar) -> Bool {
            scalar == "\t" || scalar.properties.generalCategory == .spaceSeparator
        }
        let scalars = actor.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
            let last = scalars.lastIndex(where: { !isSpace($0) })
        else { return true }
        let trimmed = scalars[first...last]
        return trimmed.count == 7 && String(String.UnicodeScalarView(trimmed)).lowercased() == "unknown"
    }
}

public enum EventValidationError: AuditFailure, Equatable, CustomStringConvertible {
    public var exitStatus: SysExit { .invalidInput }

    case empty(String)
    case tooLong(String)
    /// A C0 or C1 control, DEL, a line separator or a bidirectional mark (`Unicode.Scalar.isHiddenControl`).
    case controlCharacter(String, Unicode.Scalar)
    case dataNotObject
    case invalidEventID(String)
    case observedInFuture(observed: Timestamp, recorded: Timestamp)
    case invalidUTF8(String)
    /// An actor that names nobody (`unknown`, or only spaces).
    case noActor(String)

    public var description: String {
        switch self {
        case .empty(let field): "\(field) must not be empty"
        case .tooLong(let field): "\(field) is longer than 256 bytes"
        case .controlCharacter(let field, let scalar):
            "\(field) contains \(scalar.codePoint), a control character or bidirectional mark; a name holds neither"
        case .dataNotObject: "data must be a JSON object"
        case .invalidEventID(let text): "event id '\(text)' is not a UUID"
        case .invalidUTF8(let field): "\(field) is not valid UTF-8"
        case .noActor(let actor):
            "actor '\(actor)' names nobody: set the installer with 'audit installer set --name NAME', or give --actor"
        case .observedInFuture(let observed, let recorded):
            "observed_at \(observed) is \(observed.milliseconds(since: recorded) / 1000) s after this computer's "
                + "clock (\(recorded)); a time may not run more than 5 s ahead of it"
        }
    }
}

extension EventDraft {
    /// A field's text from raw bytes (a command-line argument, an environment variable), refused when it is not
    /// valid UTF-8: Swift would otherwise repair it to U+FFFD and the log would store what nobody typed.
    public static func text(validating bytes: some Collection<UInt8>, field: String) throws(EventValidationError)
        -> String
    {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .invalidUTF8(field) }
        return text
    }

    /// Parses a client-supplied event id, normalising it to lowercase.
    public static func eventID(parsing text: String) throws(EventValidationError) -> UUID {
        guard let uuid = UUID(uuidString: text) else { throw .invalidEventID(text) }
        return uuid
    }
}
