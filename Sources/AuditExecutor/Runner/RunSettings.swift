import AuditDomain
import AuditLog
import Foundation

/// What one run of the procedure is about: which site, which image, which target, and how patient to be.
public struct RunSettings: Sendable {
    public var site: String
    public var procedure: Procedure
    public var image: FirmwareImage
    /// Supplied with the image, never a constant in code.
    public var targetVersion: String
    public var actor: String
    /// Recorded in `procedure.started` and `firmware.push_started` so the log says how each push was made.
    public var transport: PushTransport
    /// The log's installer identity, recorded in `procedure.started`; nil when the log has none.
    public var installer: Installer?
    /// Pushes tried per stack in one run before the failure is left for the rules to report.
    public var maxPushAttempts = 2
    /// The wait before re-reading an LCD that is still detecting.
    public var lcdPollMilliseconds: Int64 = 5_000
    /// Readings of one LCD before giving up on the expected code.
    public var maxLCDReadings = 6
    /// With `--reopen --reason`: a completed site gets a corrective visit, recorded as `procedure.reopened`.
    public var reopenReason: String?
    /// `audit demo`: a completed site is refused (a demo has no corrective visit) instead of showing its check.
    public var refusesCompletedSite = false
    /// Times one deviation may be fixed on the spot and observed again before it is kept as recorded.
    public var maxFixesOnTheSpot = 3
    /// Added to the procedure's least pause between power-ons, so a rounding never makes it too short.
    public var powerOnMarginMilliseconds: Int64 = 2_000

    public init(
        site: String, procedure: Procedure, image: FirmwareImage, targetVersion: String, actor: String,
        transport: PushTransport
    ) {
        self.site = site
        self.procedure = procedure
        self.image = image
        self.targetVersion = targetVersion
        self.actor = actor
        self.transport = transport
    }
}

/// Who is on site: given up front (simulator, `--stacks`), or asked of the technician when the site is new.
public enum SiteRegistration: Sendable, Hashable {
    case known(SiteRegistered)
    case ask(model: DeviceModel)
}
