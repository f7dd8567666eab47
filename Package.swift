// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "audit",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "audit", targets: ["audit"]),
        .executable(name: "audit-bench", targets: ["AuditBenchmarks"]),
        .executable(name: "audit-server", targets: ["audit-server"]),
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
        // Only the server roles (AuditWitnessServer, audit-server) link it: `audit` stays free of the HTTP stack.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        // Only the fleet collector (AuditCollector, audit-server) links it.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
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
            dependencies: ["AuditCore", "AuditCrypto", "AuditLog"],
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
                "AuditCore", "AuditLog", "AuditDomain", "AuditExecutor", "AuditReports", "AuditWitnessClient",
                "AuditSyncClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // The witness's state and the tlog-witness add-checkpoint logic; no HTTP inside.
        .target(
            name: "AuditWitness",
            dependencies: [
                "AuditCore", "AuditCrypto", "AuditLog",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        // The client side of tlog-witness for `audit`: Foundation's URLSession, no server stack.
        .target(
            name: "AuditWitnessClient",
            dependencies: ["AuditCore", "AuditCrypto", "AuditLog", "AuditWitness"]),
        // The witness's HTTP face on Hummingbird.
        .target(
            name: "AuditWitnessServer",
            dependencies: [
                "AuditCore", "AuditWitness", "AuditLog",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // The sync wire format both sides share: event rows, request signatures, paths and limits; no HTTP inside.
        .target(
            name: "AuditSyncProtocol",
            dependencies: ["AuditCore", "AuditCrypto", "AuditLog"]),
        // `audit sync`'s client on Foundation's URLSession: the technician's binary carries no server stack.
        .target(
            name: "AuditSyncClient",
            dependencies: ["AuditCore", "AuditCrypto", "AuditLog", "AuditSyncProtocol"]),
        // The fleet collector's store and ingest checks: a PostgreSQL store on PostgresNIO and an in-memory one.
        .target(
            name: "AuditCollector",
            dependencies: [
                "AuditCore", "AuditCrypto", "AuditLog", "AuditDomain", "AuditSyncProtocol",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            plugins: ["EmbedPlugin"]),
        // The collector's HTTP face on Hummingbird: sync endpoints, fleet queries and the auditors' page.
        .target(
            name: "AuditCollectorServer",
            dependencies: [
                "AuditCore", "AuditCrypto", "AuditCollector", "AuditSyncProtocol", "AuditLog", "AuditReports",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            plugins: ["EmbedPlugin"]),
        .executableTarget(
            name: "audit-server",
            dependencies: [
                "AuditCore", "AuditCrypto", "AuditLog", "AuditWitness", "AuditWitnessServer", "AuditCollector",
                "AuditCollectorServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // What tests and benchmarks share: the in-memory store and one temporary-directory helper; not a product.
        .target(
            name: "AuditTestSupport",
            dependencies: ["AuditLog", "AuditCrypto"]),
        .executableTarget(
            name: "AuditBenchmarks",
            dependencies: [
                "AuditLog", "AuditDomain", "AuditCrypto", "AuditTestSupport", "AuditCollector",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]),
        .testTarget(
            name: "AuditCoreTests",
            dependencies: ["AuditCore"]),
        .testTarget(
            name: "AuditCryptoTests",
            dependencies: [
                "AuditCore", "AuditCrypto", "AuditTestSupport",
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]),
        .testTarget(
            name: "AuditLogTests",
            dependencies: [
                "AuditLog", "AuditCrypto", "AuditTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .testTarget(
            name: "AuditDomainTests",
            dependencies: ["AuditCore", "AuditDomain", "AuditLog", "AuditTestSupport"]),
        .testTarget(
            name: "AuditExecutorTests",
            dependencies: ["AuditCore", "AuditExecutor", "AuditDomain", "AuditLog", "AuditCrypto", "AuditTestSupport"]),
        .testTarget(
            name: "AuditCLITests",
            dependencies: [
                "audit", "AuditCore", "AuditLog", "AuditCrypto", "AuditDomain", "AuditTestSupport",
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]),
        .testTarget(
            name: "AuditWitnessTests",
            dependencies: [
                "AuditCore", "AuditCrypto", "AuditLog", "AuditWitness", "AuditWitnessServer", "AuditWitnessClient",
                "AuditTestSupport", "AuditReports", "AuditDomain",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]),
        .testTarget(
            name: "AuditReportsTests",
            dependencies: [
                "AuditCore", "AuditReports", "AuditDomain", "AuditLog", "AuditCrypto", "AuditTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]),
        .testTarget(
            name: "AuditCollectorTests",
            dependencies: [
                "audit", "audit-server", "AuditCore", "AuditCrypto", "AuditLog", "AuditDomain", "AuditCollector",
                "AuditCollectorServer", "AuditSyncProtocol", "AuditSyncClient", "AuditTestSupport", "AuditReports",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]),
    ]
)
