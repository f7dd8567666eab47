import AuditCrypto

/// The numbered SQL files of `migrations/collector/`, compiled in by EmbedPlugin and applied in order at start.
public enum CollectorMigrations {
    public static let files: [(name: String, contents: String)] = EmbeddedCollectorMigrations.files
        .filter { $0.name.hasSuffix(".sql") }
        .sorted { $0.name < $1.name }

    /// Each file's SHA-256: a migration applied once must never change (frozen), which start-up checks.
    public static func digest(_ contents: String) -> String { SHA256.hash(Array(contents.utf8)).hex }
}
