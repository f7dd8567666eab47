import Foundation

/// A fresh directory per test, removed when the value goes out of scope; the one helper every test target uses.
public struct TemporaryDirectory: ~Copyable {
    public let url: URL

    public init(prefix: String = "audit-tests") throws {
        url = try Self.create(prefix: prefix)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// The path of `name` inside the directory.
    public func path(_ name: String) -> String { url.appending(path: name).path }

    /// A new unique directory the caller removes; for fixtures whose lifetime is not one scope.
    public static func create(prefix: String = "audit-tests") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appending(path: "\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
