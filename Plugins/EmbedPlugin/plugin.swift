import Foundation
import PackagePlugin

/// Compiles the package's data folders into Swift so the shipped binary is self-contained.
@main
struct EmbedPlugin: BuildToolPlugin {
    /// Which top-level folder each target embeds, and the Swift type that exposes it.
    static let sources: [String: (folder: String, type: String)] = [
        "AuditLog": ("migrations", "EmbeddedMigrations"),
        "AuditDomain": ("procedures", "EmbeddedProcedures"),
        "AuditReports": ("reports", "EmbeddedTemplates"),
        "AuditCollector": ("migrations/collector", "EmbeddedCollectorMigrations"),
        "AuditCollectorServer": ("reports", "EmbeddedFleetTemplates"),
    ]

    func isDirectory(_ url: URL) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &directory) && directory.boolValue
    }

    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        // A folder git left out because it was empty embeds nothing rather than failing the build.
        guard let source = Self.sources[target.name] else { return [] }
        let folder = context.package.directoryURL.appending(path: source.folder)
        // Only regular files: migrations/collector/ is the collector's own folder, not one of the log's migrations.
        let files = ((try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? [])
            .filter { !$0.lastPathComponent.hasPrefix(".") && !isDirectory($0) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "\(source.type).swift")
        return [
            .buildCommand(
                displayName: "Embedding \(source.folder)/ into \(target.name)",
                executable: try context.tool(named: "EmbedResources").url,
                arguments: [source.type, output.path] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output])
        ]
    }
}
