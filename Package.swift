// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "audit",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "audit", targets: ["audit"]),
        .executable(name: "audit-bench", targets: ["AuditBenchmarks"]),
        .library(name: "AuditLog", targets: ["AuditLog"]),
        .library(name: "AuditDomain", targets: ["AuditDomain"]),
        .library(name: "AuditExecutor", targets: ["AuditExecutor"]),
        .library(name: "AuditReports", targets: ["AuditReports"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]),
        // Files under migrations/, procedures/ and reports/ are compiled into the
        // binary so an installed `audit` never depends on a resource bundle on disk.
        .executableTarget(name: "EmbedResources"),
        .plugin(
            name: "EmbedPlugin",
            capability: .buildTool(),
            dependencies: ["EmbedResources"]),
        // The error vocabulary every library shares: a failure carries its exit status and message.
        .target(name: "AuditCore"),
        .target(
            name: "AuditCrypto",
            dependencies: ["AuditCore", "COpenSSL"]),
        .target(
            name: "AuditLog",
            dependencies: [
                "AuditCore", "AuditCrypto",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            plugins: ["EmbedPlugin"]),
        .target(
            name: "AuditDomain",
            dependencies: ["AuditCore", "AuditLog"],
            plugins: ["EmbedPlugin"]),
        .target(
            name: "AuditExecutor",
            dependencies: [
                "AuditCore", "AuditDomain", "AuditLog", "AuditCrypto",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]),
        .target(
            name: "AuditReports",
            dependencies: ["AuditCore", "AuditDomain", "AuditLog", "AuditCrypto"],
            plugins: ["EmbedPlugin"]),
        .executableTarget(
            name: "audit",
            dependencies: [
                "AuditCore", "AuditLog", "AuditDomain", "AuditExecutor", "AuditReports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "AuditBenchmarks",
            dependencies: [
                "AuditLog", "AuditDomain", "AuditCrypto",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]),
        .testTarget(
            name: "AuditCoreTests",
            dependencies: ["AuditCore"]),
        .testTarget(
            name: "AuditCryptoTests",
            dependencies: ["AuditCore", "AuditCrypto"]),
        .testTarget(
            name: "AuditLogTests",
            dependencies: ["AuditLog", "AuditCrypto", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "AuditDomainTests",
            dependencies: ["AuditDomain", "AuditLog"]),
        .testTarget(
            name: "AuditExecutorTests",
            dependencies: ["AuditExecutor", "AuditDomain", "AuditLog", "AuditCrypto"]),
        .testTarget(
            name: "AuditCLITests",
            dependencies: [
                "audit", "AuditCore", "AuditLog", "AuditCrypto", "AuditDomain",
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]),
        .testTarget(
            name: "AuditReportsTests",
            dependencies: [
                "AuditReports", "AuditDomain", "AuditLog", "AuditCrypto",
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]),
    ]
)
