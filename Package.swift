// swift-tools-version: 6.1
import PackageDescription

let strictSwift: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Stockpile",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "stockpile", targets: ["stockpile"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // Layer 0: libmodbus, found through pkg-config. Only `Modbus` imports it.
        .systemLibrary(
            name: "CModbus",
            pkgConfig: "libmodbus",
            providers: [.apt(["libmodbus-dev"])]
        ),
        // Layer 1: the libmodbus bridge — clients, a server, typed errors, one thread per context.
        .target(
            name: "Modbus",
            dependencies: ["CModbus", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSwift
        ),
        // Layer 1: a Modbus server on libmodbus's server API, for the simulator and the tests; the
        // agent does not link it.
        .target(
            name: "ModbusServing",
            dependencies: ["CModbus", "Modbus", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSwift
        ),
        // Layer 2: pure domain — profiles, decoding, qualifiers, the request planner. No I/O.
        .target(
            name: "StockpileDomain",
            // Modbus for one value type, the serial line's parity; the domain does no I/O.
            dependencies: ["Modbus", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictSwift
        ),
        // Layer 2: the simulator's pure core — device physics on a virtual clock, profile encoding.
        .target(name: "SimulatorCore", dependencies: ["StockpileDomain"], swiftSettings: strictSwift),
        // Layer 3: services that join the two — reading a device through its profile, the probe.
        .target(
            name: "DeviceAccess",
            dependencies: ["Modbus", "StockpileDomain", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSwift
        ),
        // Layer 3: the device simulator — models behind Modbus servers, faults, the control channel.
        .target(
            name: "Simulator",
            dependencies: [
                "Modbus", "ModbusServing", "SimulatorCore", "StockpileDomain",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift
        ),
        // Layer 3: the store — readings, minute aggregates, health events, the chained ledger and the alerts
        // (their history, silences, notifier state) in one SQLite file (GRDB, WAL; SHA-256 from swift-crypto).
        .target(
            name: "StockpileStore",
            dependencies: [
                "StockpileAlerts", "StockpileDomain",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        // Layer 3: the agent — one scheduler per bus, device health and quarantine, readings into the store.
        .target(
            name: "StockpileAgent",
            dependencies: [
                "DeviceAccess", "Modbus", "StockpileAlerts", "StockpileDomain", "StockpileLedger", "StockpileNotifiers",
                "StockpileStore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift
        ),
        // Layer 2: pure alerting — rules from the site file, evaluation, lifecycle, silences, notification
        // planning and payloads, all on instants passed in. No I/O, no clock, no store.
        .target(name: "StockpileAlerts", dependencies: ["StockpileDomain"], swiftSettings: strictSwift),
        // Layer 3: the alert senders — webhook and Alertmanager over async-http-client, a command through
        // swift-subprocess (no shell, a time limit); each turns one notification into one delivery or a typed error.
        .target(
            name: "StockpileNotifiers",
            dependencies: [
                "StockpileAlerts", "StockpileDomain",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: strictSwift
        ),
        // Layer 3: ledger files (CSV import and export) and reconciliation reports over the store.
        .target(
            name: "StockpileLedger",
            dependencies: [
                "StockpileDomain", "StockpileStore",
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSwift
        ),
        // Layer 3: the agent's HTTP server — the JSON API, the dashboard, `/metrics`, access control by token
        // and session, TLS — over the store, the ledger and the alerts.
        .target(
            name: "StockpileWeb",
            dependencies: [
                "StockpileAlerts", "StockpileDashboard", "StockpileDomain", "StockpileLedger", "StockpileStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("openapi.yaml")],
            swiftSettings: strictSwift
        ),
        // Layer 2: the dashboard's pages, pure — view models rendered through kept Mustache templates
        // (resources, loaded once), inline SVG sparklines. No I/O besides reading the templates.
        .target(
            name: "StockpileDashboard",
            dependencies: [.product(name: "Mustache", package: "swift-mustache")],
            resources: [.copy("Templates")],
            swiftSettings: strictSwift
        ),
        // Test helper, not a product: appends batches to a store until killed (StockpileStoreTests' SIGKILL test).
        .executableTarget(
            name: "StoreCrashProbe",
            dependencies: ["StockpileStore", "StockpileDomain", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSwift
        ),
        // Layer 4: the thin executable.
        .executableTarget(
            name: "stockpile",
            dependencies: [
                "DeviceAccess", "Modbus", "Simulator", "SimulatorCore", "StockpileAgent", "StockpileAlerts",
                "StockpileDomain", "StockpileLedger", "StockpileStore", "StockpileWeb",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "stockpile-bench",
            dependencies: [
                "Modbus", "ModbusServing", "DeviceAccess", "StockpileAgent", "StockpileAlerts", "StockpileDomain",
                "StockpileLedger", "StockpileStore",
                .product(name: "GRDBSQLite", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/Swift",
            swiftSettings: strictSwift
        ),
        // Test support, not a product: where the repository is and the profiles it ships.
        .target(
            name: "StockpileTestSupport",
            dependencies: [
                "StockpileDomain", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            path: "Tests/StockpileTestSupport",
            swiftSettings: strictSwift),
        .testTarget(name: "ModbusTests", dependencies: ["Modbus", "ModbusServing"], swiftSettings: strictSwift),
        .testTarget(
            name: "StockpileDomainTests", dependencies: ["StockpileDomain", "StockpileTestSupport"],
            swiftSettings: strictSwift),
        .testTarget(
            name: "StockpileAlertsTests", dependencies: ["StockpileAlerts", "StockpileDomain", "StockpileTestSupport"],
            swiftSettings: strictSwift),
        .testTarget(
            name: "StockpileNotifiersTests",
            dependencies: [
                "StockpileNotifiers", "StockpileAlerts", "StockpileDomain", "StockpileTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "SimulatorCoreTests", dependencies: ["SimulatorCore", "StockpileDomain", "StockpileTestSupport"],
            swiftSettings: strictSwift),
        .testTarget(
            name: "DeviceAccessTests",
            dependencies: ["DeviceAccess", "Modbus", "ModbusServing", "StockpileDomain", "StockpileTestSupport"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "SimulatorTests",
            dependencies: [
                "Simulator", "SimulatorCore", "Modbus", "ModbusServing", "StockpileDomain", "DeviceAccess",
                "StockpileTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "StockpileDashboardTests",
            dependencies: [
                "StockpileDashboard", "StockpileTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "StockpileLedgerTests",
            dependencies: [
                "StockpileLedger", "StockpileDomain", "StockpileStore", "StockpileTestSupport",
                // The reference reader the import's own byte-level one is held equal to.
                .product(name: "CSV", package: "CSV.swift"),
            ],
            swiftSettings: strictSwift),
        .testTarget(
            name: "StockpileStoreTests",
            dependencies: [
                "StockpileStore", "StockpileAlerts", "StockpileDomain", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "StockpileAgentTests",
            dependencies: [
                "StockpileAgent", "StockpileAlerts", "StockpileStore", "StockpileDomain", "StockpileLedger",
                "Simulator",
                "SimulatorCore", "Modbus", "ModbusServing", "DeviceAccess", "StockpileTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "StockpileWebTests",
            dependencies: [
                "StockpileWeb", "StockpileAlerts", "StockpileDomain", "StockpileLedger", "StockpileStore",
                "StockpileTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "StockpileCLITests",
            dependencies: [
                "Modbus", "ModbusServing", "StockpileAlerts", "StockpileDomain", "StockpileStore",
                "StockpileTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["peers"],
            swiftSettings: strictSwift
        ),
    ]
)
