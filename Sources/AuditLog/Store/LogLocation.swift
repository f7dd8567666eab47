import Foundation

/// Where a log lives when `--db` is not given: `$AUDIT_DB`, else the XDG data directory.
public enum LogLocation {
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment["AUDIT_DB"], !path.isEmpty { return path }
        return dataDirectory(environment: environment) + "/audit/audit.db"
    }

    public static func dataDirectory(environment: [String: String]) -> String {
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") { return xdg }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
    }

    public static func configDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") { return xdg }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
    }

    /// `$AUDIT_ACTOR`, else the login name, else `unknown`, which no event may carry: writers call
    /// `resolveActor(explicit:installer:)`, which puts the log's installer first and refuses `unknown`.
    public static func defaultActor(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        for key in ["AUDIT_ACTOR", "USER", "LOGNAME"] {
            if let value = environment[key], !value.isEmpty { return value }
        }
        return "unknown"
    }
}
