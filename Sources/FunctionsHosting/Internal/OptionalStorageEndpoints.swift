internal import FunctionsStorageEndpoints
internal import Logging
internal import ServiceLifecycle

/// The storage endpoints as a service of the application: on the default ports, a port already taken
/// (an Azurite running, say) is logged with the options to use and the application keeps serving without
/// them (its triggers and bindings still work on the store); on ports given explicitly, it stops the
/// application with the error.
struct OptionalStorageEndpoints: Service {
  let endpoints: StorageEndpoints
  let explicitPorts: Bool
  let logger: Logger

  func run() async throws {
    do {
      try await endpoints.run()
    } catch {
      if explicitPorts || Task.isCancelled { throw error }
      let message =
        "the storage endpoints are not served: \(error). Triggers and bindings still use the store; pass "
        + "--blob-port N --queue-port N (0 picks free ports) to serve them, or --no-storage-endpoints to silence this"
      logger.warning("\(message)")
      try? await gracefulShutdown()
    }
  }
}
