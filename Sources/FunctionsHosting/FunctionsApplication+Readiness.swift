public import Foundation
public import FunctionsHostCore
public import FunctionsHostHTTP

extension FunctionsApplication {
  /// What an application serves once it is ready: what `functions-host start` prints in its banner.
  ///
  /// ```swift
  /// let ready = try await application.waitUntilReady()
  /// print(ready.httpAddress?.url ?? "no HTTP", ready.functions.map(\.name))
  /// ```
  public struct Readiness: Sendable {
    /// The app's functions.
    public var functions: [FunctionMetadata]
    /// Functions that could not be indexed (function.json or decorator errors).
    public var indexingErrors: [FunctionsHostError]
    /// Functions whose load failed, by name, with the worker's message.
    public var loadErrors: [String: String]
    /// Functions whose bindings cannot be served (one error per function).
    public var bindingErrors: [FunctionsHostError]
    /// Warnings about the bindings (a connection string naming a real Azure account, …).
    public var warnings: [String]
    /// Workers ready now.
    public var readyWorkers: Int
    /// Where the HTTP front door listens; `nil` without one.
    public var httpAddress: HTTPFrontDoor.ListeningAddress?
    /// host.json `extensions.http.routePrefix`.
    public var routePrefix: String
    /// The CORS policy in force, if any.
    public var cors: HTTPFrontDoor.CORSPolicy?
    /// The store and its endpoints.
    public var storage: StorageReadiness
    /// The secrets file of the keys in force; `nil` without keys.
    public var keysFile: String?
    /// The keys this start created (show them once; they are in ``keysFile``).
    public var createdKeys: [FunctionKeys.Entry]
    /// The next run of each timer function, by function name.
    public var nextTimerRuns: [String: Date]
  }

  /// The store and its Azure-compatible endpoints, once ready.
  public struct StorageReadiness: Sendable, Hashable {
    /// The SQLite file, unless the store was passed in.
    public var storePath: String?
    /// The Blob endpoint URL, when served.
    public var blobEndpoint: String?
    /// The Queue endpoint URL, when served.
    public var queueEndpoint: String?
    /// The connection string for Azure SDKs, when the endpoints are served.
    public var connectionString: String?
  }
}
