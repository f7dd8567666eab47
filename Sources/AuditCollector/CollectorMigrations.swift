import AuditCrypto
import Foundation

/// The numbered SQL files of `migrations/collector/`, compiled in by EmbedPlugin and applied in order at start.
public enum CollectorMigrations {
    public static let files: [(name: String, contents: String)] = EmbeddedCollectorMigrations.files
        .filter { $0.name.hasSuffix(".sql") }
        .sorted { $0.name < $1.name }

    /// A file's statements, one per query: PostgresNIO sends each as a prepared statement, which holds one command.
    ///
    /// The files keep to what makes this split exact: comments are whole lines (`--`), and a statement ends with
    /// `;` at the end of a line; no literal holds a `;` followed by a newline.
    public static func statements(_ contents: String) -> [String] {
        let code = contents.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.trimmingPrefix(while: \.isWhitespace).hasPrefix("--") }
            .joined(separator: "\n")
        return code.components(separatedBy: ";\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .map { $0.hasSuffix(";") ? String($0.dropLast()) : $0 }
            .filter { !$0.isEmpty }
    }

    /// Each file's SHA-256: a migration applied once must never change (frozen), which start-up checks.
    public static func digest(_ contents: String) -> String { SHA256.hash(Array(contents.utf8)).hex }
}
