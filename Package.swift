// swift-tools-version:6.2
import PackageDescription

/// Settings shared by every target: Swift 6 language mode and the upcoming features of the house style.
let settings: [SwiftSetting] = [
  .swiftLanguageMode(.v6),
  .enableUpcomingFeature("ExistentialAny"),
  .enableUpcomingFeature("InternalImportsByDefault"),
  .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
  name: "functions-host",
  platforms: [.macOS(.v15)],
  products: [
    .library(name: "FunctionsRPC", targets: ["FunctionsRPC"]),
    .library(name: "FunctionsHostCore", targets: ["FunctionsHostCore"]),
    .library(name: "FunctionsHostHTTP", targets: ["FunctionsHostHTTP"]),
    .library(name: "FunctionsPythonWorker", targets: ["FunctionsPythonWorker"]),
    .library(name: "FunctionsConformance", targets: ["FunctionsConformance"]),
    .library(name: "FunctionsStorage", targets: ["FunctionsStorage"]),
    .library(name: "FunctionsStoragePostgres", targets: ["FunctionsStoragePostgres"]),
    .library(name: "FunctionsStorageEndpoints", targets: ["FunctionsStorageEndpoints"]),
    .library(name: "FunctionsTriggers", targets: ["FunctionsTriggers"]),
    .library(name: "FunctionsObservability", targets: ["FunctionsObservability"]),
    .library(name: "FunctionsHosting", targets: ["FunctionsHosting"]),
    .executable(name: "functions-host", targets: ["functions-host"]),
  ],
  dependencies: [
    .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
    .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
    .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
    .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
    .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
    .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
    .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
    .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
    .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
    .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
    .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
    .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
    .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
    .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
    .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
  ],
  targets: [
    .target(
      name: "FunctionsRPC",
      dependencies: [
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      swiftSettings: settings
    ),
    .target(
      name: "FunctionsHostCore",
      dependencies: [
        "FunctionsRPC",
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "Subprocess", package: "swift-subprocess"),
        .product(name: "SystemPackage", package: "swift-system"),
        .product(name: "DequeModule", package: "swift-collections"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP2", package: "swift-nio-http2"),
        .product(name: "NIOHPACK", package: "swift-nio-http2"),
      ],
      swiftSettings: settings
    ),
    .target(
      name: "FunctionsObservability",
      dependencies: [
        "FunctionsHostCore",
        "FunctionsRPC",
        .product(name: "Tracing", package: "swift-distributed-tracing"),
        .product(name: "Instrumentation", package: "swift-distributed-tracing"),
        .product(name: "CoreMetrics", package: "swift-metrics"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ],
      swiftSettings: settings
    ),
    .target(
      name: "FunctionsHostHTTP",
      dependencies: [
        "FunctionsHostCore",
        "FunctionsObservability",
        "FunctionsRPC",
        .product(name: "Tracing", package: "swift-distributed-tracing"),
        .product(name: "Instrumentation", package: "swift-distributed-tracing"),
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdCore", package: "hummingbird"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
        // HTTP proxying to workers' own servers; already built for swift-otel's OTLP/HTTP exporter.
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      swiftSettings: settings
    ),
    .target(
      name: "FunctionsPythonWorker",
      dependencies: [
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Subprocess", package: "swift-subprocess"),
      ],
      resources: [
        .embedInCode("Resources/worker.py"),
        .embedInCode("Resources/requirements.txt"),
        .embedInCode("Resources/functions_host_worker/__init__.py"),
        .embedInCode("Resources/functions_host_worker/constants.py"),
        .embedInCode("Resources/functions_host_worker/cli.py"),
        .embedInCode("Resources/functions_host_worker/transport.py"),
        .embedInCode("Resources/functions_host_worker/h2stream.py"),
        .embedInCode("Resources/functions_host_worker/h2client.py"),
        .embedInCode("Resources/functions_host_worker/dispatcher.py"),
        .embedInCode("Resources/functions_host_worker/runner.py"),
        .embedInCode("Resources/functions_host_worker/loader.py"),
        .embedInCode("Resources/functions_host_worker/bindings.py"),
        .embedInCode("Resources/functions_host_worker/logs.py"),
        .embedInCode("Resources/functions_host_worker/wiring.py"),
        .embedInCode("Resources/functions_host_worker/proxy.py"),
        .embedInCode("Resources/functions_host_worker/streaming.py"),
        .embedInCode("Resources/FunctionRpc_pb2.py"),
        .embedInCode("Resources/FunctionRpc_pb2_grpc.py"),
        .embedInCode("Resources/ClaimsIdentityRpc_pb2.py"),
        .embedInCode("Resources/NullableTypes_pb2.py"),
      ],
      swiftSettings: settings
    ),
    .target(
      name: "FunctionsConformance",
      dependencies: [
        "FunctionsRPC",
        "FunctionsHostCore",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Subprocess", package: "swift-subprocess"),
        .product(name: "SystemPackage", package: "swift-system"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
      ],
      swiftSettings: settings
    ),
    .target(
      name: "FunctionsStorage",
      dependencies: [
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: settings
    ),
    .target(
      name: "FunctionsStoragePostgres",
      dependencies: [
        "FunctionsStorage",
        .product(name: "PostgresNIO", package: "postgres-nio"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ],
      swiftSettings: settings
    ),
    .target(
      name: "FunctionsStorageEndpoints",
      dependencies: [
        "FunctionsStorage",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ],
      swiftSettings: settings
    ),
    .target(
      name: "FunctionsTriggers",
      dependencies: [
        "FunctionsHostCore",
        "FunctionsRPC",
        "FunctionsStorage",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      swiftSettings: settings
    ),
    .target(
      name: "FunctionsHosting",
      dependencies: [
        "FunctionsStoragePostgres",
        "FunctionsHostCore",
        "FunctionsHostHTTP",
        "FunctionsObservability",
        "FunctionsPythonWorker",
        "FunctionsRPC",
        "FunctionsStorage",
        "FunctionsStorageEndpoints",
        "FunctionsTriggers",
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      swiftSettings: settings
    ),
    .executableTarget(
      name: "functions-host",
      dependencies: [
        "FunctionsConformance",
        "FunctionsHosting",
        "FunctionsHostCore",
        "FunctionsHostHTTP",
        "FunctionsObservability",
        "FunctionsPythonWorker",
        "FunctionsStorage",
        "FunctionsStorageEndpoints",
        "FunctionsStoragePostgres",
        "FunctionsTriggers",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "OTel", package: "swift-otel"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "UnixSignals", package: "swift-service-lifecycle"),
      ],
      swiftSettings: settings
    ),
    .target(
      name: "FunctionsTestSupport",
      dependencies: [
        "FunctionsHostCore", "FunctionsPythonWorker",
        .product(name: "Logging", package: "swift-log"),
      ],
      path: "Tests/FunctionsTestSupport",
      swiftSettings: settings
    ),
    .testTarget(
      name: "FunctionsHostCoreTests",
      dependencies: [
        "FunctionsHostCore", "FunctionsRPC", "FunctionsConformance",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOEmbedded", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP2", package: "swift-nio-http2"),
        .product(name: "NIOHPACK", package: "swift-nio-http2"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      swiftSettings: settings
    ),
    .testTarget(
      name: "FunctionsHostHTTPTests",
      dependencies: [
        "FunctionsHostHTTP", "FunctionsHostCore", "FunctionsRPC",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdTesting", package: "hummingbird"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      swiftSettings: settings
    ),
    .testTarget(
      name: "FunctionsObservabilityTests",
      dependencies: ["FunctionsObservability", "FunctionsHostCore", "FunctionsRPC"],
      swiftSettings: settings
    ),
    .testTarget(
      name: "FunctionsPythonWorkerTests",
      dependencies: [
        "FunctionsPythonWorker",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Subprocess", package: "swift-subprocess"),
      ],
      swiftSettings: settings
    ),
    .testTarget(
      name: "FunctionsConformanceTests",
      dependencies: [
        "FunctionsConformance", "FunctionsHostCore", "FunctionsPythonWorker", "FunctionsRPC",
        "FunctionsTestSupport",
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: settings
    ),
    .testTarget(
      name: "FunctionsStorageTests",
      dependencies: [
        "FunctionsStorage", "FunctionsStoragePostgres",
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: settings
    ),
    .testTarget(
      name: "FunctionsStorageEndpointsTests",
      dependencies: [
        "FunctionsStorageEndpoints", "FunctionsStorage",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdTesting", package: "hummingbird"),
      ],
      swiftSettings: settings
    ),
    .testTarget(
      name: "FunctionsTriggersTests",
      dependencies: ["FunctionsTriggers", "FunctionsStorage", "FunctionsHostCore", "FunctionsRPC"],
      swiftSettings: settings
    ),
    .testTarget(
      name: "FunctionsHostingTests",
      dependencies: [
        "FunctionsHosting", "FunctionsHostCore", "FunctionsHostHTTP", "FunctionsObservability", "FunctionsRPC",
        "FunctionsStorage", "FunctionsTestSupport",
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ],
      swiftSettings: settings
    ),
    .testTarget(
      name: "FunctionsIntegrationTests",
      dependencies: [
        "FunctionsHostCore", "FunctionsHostHTTP", "FunctionsPythonWorker", "FunctionsRPC",
        "FunctionsStorage", "FunctionsStorageEndpoints", "FunctionsTriggers", "FunctionsTestSupport",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ],
      exclude: ["Fixtures"],
      swiftSettings: settings
    ),
  ]
)
