import AuditCrypto
import AuditLog
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Pushes to a `SimulatedSite` with the gateway's refusals and the injected faults, at a pace set by a sleeper.
public struct SimulatedTransport: FirmwareTransport {
    /// What a power cut does to this process: in a demo the laptop may die with the site, in tests it must not.
    public enum PowerCutBehaviour: Sendable {
        case reportFailure
        /// SIGKILL this process mid-push, after the site file records the cut, to rehearse a resume.
        case killProcess
    }

    public let site: SimulatedSite
    private let clock: any AuditClock
    private let sleeper: any Sleeper
    private let stepMilliseconds: Int64
    private let stallTimeoutMilliseconds: Int64
    private let powerCut: PowerCutBehaviour
    private let logger: Logger

    /// A transfer reports progress in 10% steps, `stepMilliseconds` apart; a stalled one gives up after
    /// `stallTimeoutMilliseconds` without progress.
    public init(
        site: SimulatedSite, clock: any AuditClock, sleeper: any Sleeper = TaskSleeper(), stepMilliseconds: Int64 = 200,
        stallTimeoutMilliseconds: Int64 = 30_000, powerCut: PowerCutBehaviour = .reportFailure,
        logger: Logger = Logger(label: "audit.transport.sim")
    ) {
        self.site = site
        self.clock = clock
        self.sleeper = sleeper
        self.stepMilliseconds = stepMilliseconds
        self.stallTimeoutMilliseconds = stallTimeoutMilliseconds
        self.powerCut = powerCut
        self.logger = logger
    }

    public func push(_ request: PushRequest, progress: @Sendable (Int) -> Void) async throws(TransportError)
        -> PushOutcome
    {
        let start = clock.now()
        var transcript =
            "sim push \(request.stack) serial \(request.serial) attempt \(request.attempt) "
            + "image \(request.imagePath) sha256 \(request.imageSHA256.hex) version \(request.targetVersion)\n"
        func elapsed() -> Int64 { clock.now().milliseconds(since: start) }
        func failed(_ reason: String) -> PushOutcome {
            transcript += "failed: \(reason)\n"
            return .failed(
                reason: reason, exitStatus: nil, durationMilliseconds: elapsed(),
                outputDigest: SHA256.hash(transcript))
        }
        let stack = request.stack
        let refusal = try simulator { try site.beginPush(stack) }
        if let refusal {
            return failed(refusal)
        }
        // Read, not spent: it is spent once its outcome is in the log (`outcomeRecorded`), so a kill -9 before
        // that meets the same fault on resume.
        let fault = site.pendingFault { fault in
            switch fault {
            case .pushFails(stack, _), .pushStalls(stack), .staleVersion(stack), .powerCutMidPush(stack): true
            default: false
            }
        }
        if let fault, case .pushFails(_, let reason) = fault {
            site.fire(fault)
            return failed(reason)
        }
        progress(0)
        for percent in stride(from: 10, through: 100, by: 10) {
            try await pause(stepMilliseconds)
            if let fault, case .pushStalls = fault, percent > 40 {
                try await pause(stallTimeoutMilliseconds)
                site.fire(fault)
                return failed("timed out: no progress for \(stallTimeoutMilliseconds) ms at 40%")
            }
            if let fault, case .powerCutMidPush = fault, percent > 50 {
                try simulator { try site.cutPower(stack, spending: fault) }
                logger.info("sim: power cut on \(stack) at 50%")
                if powerCut == .killProcess { kill(getpid(), SIGKILL) }
                return failed("power lost during transfer at 50%")
            }
            progress(percent)
            transcript += "progress \(percent)\n"
        }
        if let fault, case .staleVersion = fault {
            site.fire(fault)
            logger.info("sim: \(stack) keeps its old firmware")
        } else {
            try simulator { try site.installFirmware(stack, version: request.targetVersion) }
        }
        let readBack = try simulator { try site.version(stack) } ?? ""
        transcript += "completed; version \(readBack)\n"
        return .completed(
            versionReadBack: readBack, durationMilliseconds: elapsed(), outputDigest: SHA256.hash(transcript),
            exitStatus: nil)
    }

    /// Spends the faults this push fired; the power cut was spent with the cut itself, which the site file holds.
    public func outcomeRecorded(_ request: PushRequest) async throws(TransportError) {
        try simulator { try site.spendFired(stack: request.stack) }
    }

    public func readVersion(stack: String, serial: String) async throws(TransportError) -> String? {
        try simulator { try site.version(stack) }
    }

    private func pause(_ milliseconds: Int64) async throws(TransportError) {
        do {
            try await sleeper.sleep(milliseconds: milliseconds)
        } catch {
            throw .cancelled
        }
    }

    /// Maps the site's errors; a stack the site does not know is the caller's mistake, the rest is the simulator's.
    private func simulator<R>(_ body: () throws -> R) throws(TransportError) -> R {
        do {
            return try body()
        } catch SimulatorError.unknownStack(let stack) {
            throw .unknownStack(stack)
        } catch {
            throw .simulator("\(error)")
        }
    }
}
