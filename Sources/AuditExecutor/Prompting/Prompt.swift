import AuditDomain

/// Something the technician is asked to do on site, so the executor can wait for it and the simulator can perform it.
public enum TechnicianAction: Sendable, Hashable, CustomStringConvertible {
    case powerOn(stack: String)
    case powerOff(stack: String)
    case plug(CableEdge)
    case unplug(CableEdge)
    case setDIP(stack: String, bank: DIPBank, position: DIPPosition)
    /// Push with the vendor's tooling (manual transport); the image is named so the technician picks the right file.
    case pushFirmware(stack: String, serial: String, image: String, imageSHA256: String, version: String)
    /// Any other instruction: the answer only says it was done.
    case instruction(id: String, text: String)

    /// A stable key, used in prompt ids and answer files.
    public var key: String {
        switch self {
        case .powerOn(let stack): "power-on:\(stack)"
        case .powerOff(let stack): "power-off:\(stack)"
        case .plug(let cable): "plug:\(cable.promptKey)"
        case .unplug(let cable): "unplug:\(cable.promptKey)"
        case .setDIP(let stack, let bank, let position): "set-\(bank.rawValue):\(stack):\(position)"
        case .pushFirmware(let stack, _, _, _, _): "push:\(stack)"
        case .instruction(let id, _): "do:\(id)"
        }
    }

    public var description: String {
        switch self {
        case .powerOn(let stack): "Turn ON the BMS of \(stack)."
        case .powerOff(let stack): "Turn OFF the BMS of \(stack)."
        case .plug(let cable): "Plug the link cable \(cable.promptKey) (\(cable.spelledOut))."
        case .unplug(let cable): "Unplug the link cable \(cable.promptKey) (\(cable.spelledOut))."
        case .setDIP(let stack, let bank, let position): "Set \(bank.label) of \(stack) to \(position) (pin 1 first)."
        case .pushFirmware(let stack, let serial, let image, let digest, let version):
            "Push firmware \(version) to \(stack) (serial \(serial)) with the vendor's tooling: image \(image), "
                + "SHA-256 \(digest)."
        case .instruction(_, let text): text
        }
    }
}

/// What a prompt asks for; each kind has one answer kind, validated by `parse`.
public enum PromptKind: Sendable, Hashable {
    case powerState(stack: String)
    case dip(stack: String, bank: DIPBank, pinCount: Int)
    case lcdCode(stack: String)
    case cableState(CableEdge)
    /// Done (true) or not done (false).
    case confirmation(TechnicianAction)
    case firmwareVersion(stack: String)
    /// A free one-line note, e.g. why a manual push failed.
    case note(id: String)
    /// A manual push's outcome: the version the unit reads afterwards, or `failed` when the tool reported failure.
    case pushOutcome(stack: String)
    /// A yes/no decision of the run's own (are these the originals? fix it now?); answered as a confirmation.
    case question(id: String)
}

/// A question put to the technician: `id` is stable so answer files can target it, `text` is for humans.
public struct Prompt: Sendable, Hashable, CustomStringConvertible {
    public var kind: PromptKind
    public var text: String
    /// Done first, then observed in the same answer: the observation itself shows the action was done.
    public var action: TechnicianAction?

    public init(_ kind: PromptKind, text: String? = nil) {
        self.kind = kind
        self.text = text ?? Prompt.defaultText(for: kind)
    }

    /// One prompt for an action and the observation that shows it: `Turn OFF S1. Is the BMS of S1 on or off?`.
    public init(_ kind: PromptKind, after action: TechnicianAction) {
        self.kind = kind
        self.text = "\(action.description) \(Prompt.defaultText(for: kind))"
        self.action = action
    }

    /// `power:S2`, `dip:S2:ADDR`, `lcd:S2`, `cable:S1.A-S2.B`, `confirm:<action key>`, `version:S2`, `note:<id>`.
    public var id: String {
        switch kind {
        case .powerState(let stack): "power:\(stack)"
        case .dip(let stack, let bank, _): "dip:\(stack):\(bank.label)"
        case .lcdCode(let stack): "lcd:\(stack)"
        case .cableState(let cable): "cable:\(cable.promptKey)"
        case .confirmation(let action): "confirm:\(action.key)"
        case .firmwareVersion(let stack): "version:\(stack)"
        case .note(let id): "note:\(id)"
        case .question(let id): "ask:\(id)"
        case .pushOutcome(let stack): "push:\(stack)"
        }
    }

    public var description: String { text }

    /// What `help` or `?` shows: what the prompt expects, and the two words every prompt understands.
    public var help: String {
        "  expected: \(expected). Type 'back' to correct your previous answer (it is recorded as a correction), "
            + "'help' or '?' for this text. Ctrl-C stops; the same command resumes."
    }

    /// One line telling what is expected, shown after the question and in error messages.
    public var expected: String {
        switch kind {
        case .powerState: "on or off"
        case .dip(_, _, let pins):
            "\(pins) pins, pin 1 first, U/D or 1/0 (e.g. \(DIPPosition.master(pins: pins)))"
        case .lcdCode: "the code shown, e.g. 62, 3, ERROR 19, or 'blank'"
        case .cableState: "plugged or unplugged"
        case .confirmation: "done or not-done"
        case .firmwareVersion: "the version shown, e.g. 4007"
        case .note: "one line of text"
        case .question: "yes or no"
        case .pushOutcome: "the version the LCD shows once the tool is done, e.g. 4007, or 'failed'"
        }
    }

    static func defaultText(for kind: PromptKind) -> String {
        switch kind {
        case .powerState(let stack): "Is the BMS of \(stack) on or off?"
        case .dip(let stack, let bank, _): "What is the \(bank.label) DIP position of \(stack)?"
        case .lcdCode(let stack): "What does the LCD of \(stack) show?"
        case .cableState(let cable): "Is the link cable \(cable.promptKey) plugged?"
        case .confirmation(let action): action.description
        case .firmwareVersion(let stack): "What firmware version does \(stack) report?"
        case .note(let id): "Note (\(id)):"
        case .question(let id): "\(id)?"
        case .pushOutcome(let stack): "Which firmware version does the LCD of \(stack) show now?"
        }
    }
}

/// A validated answer; its case always matches the prompt's kind.
public enum Answer: Sendable, Hashable, CustomStringConvertible {
    case power(PowerState)
    case dip(DIPPosition)
    /// Normalised (upper case, single spaces); empty = blank display.
    case lcd(String)
    case cable(plugged: Bool)
    case confirmation(done: Bool)
    case version(String)
    case note(String)

    public var description: String {
        switch self {
        case .power(let state): state.description
        case .dip(let position): position.description
        case .lcd(let code): code.isEmpty ? "blank" : code
        case .cable(let plugged): plugged ? "plugged" : "unplugged"
        case .confirmation(let done): done ? "done" : "not-done"
        case .version(let version): version
        case .note(let text): text
        }
    }
}

extension CableEdge {
    /// `S1.A-S2.B`, Link A's end first: the spelling prompt ids and answers files have always used.
    var promptKey: String {
        let (from, to) = linkAFirst
        return "\(from.stack).\(from.port)-\(to.stack).\(to.port)"
    }

    /// `Link A of S1 to Link B of S2`, for the technician.
    var spelledOut: String {
        let (from, to) = linkAFirst
        return "Link \(from.port) of \(from.stack) to Link \(to.port) of \(to.stack)"
    }

    /// The ends with Link A's first, as `cable.observed` records `from` and `to` for the daisy chain.
    var linkAFirst: (from: PortRef, to: PortRef) {
        second.port == .a && first.port != .a ? (second, first) : (first, second)
    }
}
