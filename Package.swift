// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "OnlineSafety",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "OnlineSafetyCore", targets: ["OnlineSafetyCore"]),
        .library(name: "StorageFile", targets: ["StorageFile"]),
        .library(name: "StoragePostgres", targets: ["StoragePostgres"]),
        .library(name: "OnlineSafetyImport", targets: ["OnlineSafetyImport"]),
        .library(name: "OnlineSafetyPolicyText", targets: ["OnlineSafetyPolicyText"]),
        .library(name: "OnlineSafetyReports", targets: ["OnlineSafetyReports"]),
        .library(name: "OnlineSafetyTestKit", targets: ["OnlineSafetyTestKit"]),
        .executable(name: "onlinesafety", targets: ["onlinesafety"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        .target(
            name: "OnlineSafetyCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Policy/Seeds"]
        ),
        .target(
            name: "StorageFile",
            dependencies: [
                "OnlineSafetyCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "StoragePostgres",
            dependencies: [
                "OnlineSafetyCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "OnlineSafetyImport",
            dependencies: [
                "OnlineSafetyCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "OnlineSafetyPolicyText",
            dependencies: ["OnlineSafetyCore", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "OnlineSafetyReports",
            dependencies: [
                "OnlineSafetyCore",
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        .target(
            name: "OnlineSafetyTestKit",
            dependencies: [
                "OnlineSafetyCore", "OnlineSafetyImport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            path: "Tests/OnlineSafetyTestKit"
        ),
        .executableTarget(
            name: "onlinesafety",
            dependencies: [
                "OnlineSafetyCore",
                "StorageFile",
                "StoragePostgres",
                "OnlineSafetyImport",
                "OnlineSafetyPolicyText",
                "OnlineSafetyReports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Examples/onlinesafety"
        ),
        .target(name: "SampleTrust", dependencies: ["OnlineSafetyCore"], path: "Examples/SampleTrust", exclude: ["data", "README.md"]),
        .executableTarget(
            name: "make-sample-trust",
            dependencies: ["SampleTrust", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Examples/make-sample-trust"
        ),
        .executableTarget(
            name: "benchmarks",
            dependencies: [
                "OnlineSafetyCore",
                "StorageFile",
                "StoragePostgres",
                "OnlineSafetyImport",
                "SampleTrust",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks"
        ),
        .testTarget(name: "OnlineSafetyCoreTests", dependencies: ["OnlineSafetyCore"]),
        .testTarget(
            name: "OnlineSafetyReportsTests",
            dependencies: [
                "OnlineSafetyReports", "OnlineSafetyCore", "OnlineSafetyTestKit", "StorageFile",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "OnlineSafetyImportTests",
            dependencies: [
                "OnlineSafetyImport", "OnlineSafetyCore",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .executableTarget(
            name: "filestore-crash-writer",
            dependencies: [
                "StorageFile",
                "OnlineSafetyCore",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/CrashWriter"
        ),
        .testTarget(
            name: "StorageFileTests",
            dependencies: [
                "StorageFile",
                "OnlineSafetyTestKit",
                "OnlineSafetyCore",
                "filestore-crash-writer",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "OnlineSafetyCLITests",
            dependencies: [
                "onlinesafety", "OnlineSafetyCore", "OnlineSafetyPolicyText", "StorageFile", "StoragePostgres",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "StoragePostgresTests",
            dependencies: [
                "StoragePostgres", "OnlineSafetyTestKit", "OnlineSafetyCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

for target in package.targets where target.type != .plugin {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
