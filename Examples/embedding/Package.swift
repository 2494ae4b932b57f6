// swift-tools-version:6.2
import PackageDescription

/// Hosts Examples/hello and Examples/storage from Swift and calls them over HTTP and in-process.
/// `.ci/run` builds and runs it, so the README's "Embedding" code cannot drift from the library.
let package = Package(
  name: "embedding",
  platforms: [.macOS(.v15)],
  dependencies: [
    .package(name: "functions-host", path: "../.."),
    .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
    .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
  ],
  targets: [
    .executableTarget(
      name: "Embedding",
      dependencies: [
        .product(name: "FunctionsHosting", package: "functions-host"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ],
      swiftSettings: [.swiftLanguageMode(.v6)]
    )
  ]
)
