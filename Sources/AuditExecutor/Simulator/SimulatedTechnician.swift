import AuditCrypto
import Foundation
import Logging

/// Answers prompts by looking at and acting on the simulated site, so sim mode runs unattended; it applies the
/// technician-side faults (`skip-dip-restore`, `wrong-power-order`) and otherwise answers truthfully.
public struct SimulatedTechnician: Prompter {
    public let site: SimulatedSite
    private let transport: SimulatedTransport?
    private let logger: Logger
    private let failures = FailureNotes()

    /// `transport` performs pushes the technician is asked to do by hand (manual transport in sim mode).
    public init(
        site: SimulatedSite, transport: SimulatedTransport? = nil,
        logger: Logger = Logger(label: "audit.technician.sim")
    ) {
        self.site = site
        self.transport = transport
        self.logger = logger
    }

    public func ask(_ prompt: Prompt) async throws(PromptError) -> Answer {
        let answer: Answer
        do {
            var done = true
            if let action = prompt.action { done = try await perform(action) }
            if case .pushOutcome = prompt.kind, !done {
                answer = .confirmation(done: false)
            } else {
                answer = try await observeOrAct(prompt.kind)
            }
        } catch {
            throw .simulator(error.description)
        }
        logger.debug("sim technician: \(prompt.id) -> \(answer)")
        do {
            return try prompt.kind.validate(answer)
        } catch {
            throw .simulator("answer '\(answer)' to '\(prompt.id)' is invalid: \(error)")
        }
    }

    private func observeOrAct(_ kind: PromptKind) async throws(SimulatorError) -> Answer {
        switch kind {
        case .powerState(let stack): return .power(try site.power(stack))
        case .dip(let stack, let bank, _): return .dip(try site.dip(stack, bank))
        case .lcdCode(let stack): return .lcd(try site.lcd(stack))
        case .cableState(let cable): return .cable(plugged: site.isPlugged(cable))
        case .firmwareVersion(let stack), .pushOutcome(let stack):
            guard let version = try site.version(stack) else {
                throw .invalidConfiguration("\(stack) is off: its LCD shows no version")
            }
            return .version(version)
        case .note(let id): return .note(failures.reason(for: id) ?? "simulated technician")
        case .confirmation(let action): return .confirmation(done: try await perform(action))
        // Keeps every deviation as it happened, so a fault still shows as its finding; confirms the originals.
        case .question(let id): return .confirmation(done: !id.hasPrefix("fix:"))
        }
    }

    private func perform(_ action: TechnicianAction) async throws(SimulatorError) -> Bool {
        switch action {
        case .powerOn(let stack):
            // Only the restore's power-up (cables back, all off) has an order to get wrong.
            let state = site.snapshot
            let restoring = state.stacks.allSatisfy { $0.power == .off } && !state.pluggedCables.isEmpty
            if restoring, stack != state.masterID,
                try site.takeFault(where: { $0 == .wrongPowerOrder }) != nil
            {
                try site.powerOn(state.masterID)
            }
            try site.powerOn(stack)
        case .powerOff(let stack): try site.powerOff(stack)
        case .plug(let cable): try site.plug(cable)
        case .unplug(let cable): try site.unplug(cable)
        case .setDIP(let stack, let bank, let position):
            // Only ADDR goes back to its original in the restore phase alone (INV returns after every detection).
            let current = try site.stack(stack)
            let isRestore = bank == .addr && position == current.originalAddr && current.addr != current.originalAddr
            if isRestore, try site.takeFault(where: { $0 == .skipDIPRestore(stack: stack) }) != nil {
                return true
            }
            try site.setDIP(stack, bank, position)
        case .pushFirmware(let stack, let serial, let image, let digest, let version):
            guard let transport else { throw .invalidConfiguration("no simulated transport to push with") }
            let request = PushRequest(
                imagePath: image, imageSHA256: Digest(hex: digest) ?? .zero, targetVersion: version, stack: stack,
                serial: serial)
            do {
                let outcome = try await transport.push(request, progress: { _ in })
                // The technician's own push: what it did is known here, before any answer reaches the log.
                try await transport.outcomeRecorded(request)
                if case .failed(let reason, _, _, _) = outcome { failures.record(reason, for: "push-failed:\(stack)") }
                return outcome.isCompleted
            } catch {
                throw .invalidConfiguration(error.description)
            }
        case .instruction: break
        }
        return true
    }
}

/// What went wrong in pushes the technician did, so the follow-up "why did it fail?" note tells the real reason.
private final class FailureNotes: @unchecked Sendable {
    private let lock = NSLock()
    private var notes: [String: String] = [:]

    func record(_ reason: String, for id: String) { lock.withLock { notes[id] = reason } }

    func reason(for id: String) -> String? { lock.withLock { notes[id] } }
}
