import GRDB

/// The numbered SQL files of `migrations/`, applied in order by GRDB's migrator.
enum Migrations {
    static let files: [(name: String, contents: String)] = EmbeddedMigrations.files
        .filter { $0.name.hasSuffix(".sql") }
        .sorted { $0.name < $1.name }

    static var identifiers: Set<String> { Set(files.map { identifier($0.name) }) }

    static func identifier(_ fileName: String) -> String {
        String(fileName.dropLast(".sql".count))
    }

    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        for file in files {
            migrator.registerMigration(identifier(file.name)) { db in try db.execute(sql: file.contents) }
        }
        return migrator
    }()
}
