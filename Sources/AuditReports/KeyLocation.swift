import AuditCrypto
import AuditLog
import Foundation

/// Where the signing key lives when no path is given: `$XDG_CONFIG_HOME/audit`, else `~/.config/audit`.
public enum KeyLocation {
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        LogLocation.configDirectory(environment: environment) + "/audit"
    }

    /// `$AUDIT_KEY` when set, else the private key `audit keygen` writes by default.
    public static func defaultPrivateKey(environment: [String: String] = ProcessInfo.processInfo.environment) -> String
    {
        if let path = environment["AUDIT_KEY"], !path.isEmpty { return path }
        return defaultDirectory(environment: environment) + "/" + KeyFiles.privateKeyFileName
    }
}
