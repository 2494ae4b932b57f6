internal import FunctionsHostHTTP
internal import FunctionsStorage
internal import Logging
internal import ServiceLifecycle

/// Enforces key changes made through any host on the shared store as soon as the store announces
/// them (LISTEN/NOTIFY on PostgreSQL): a key rotated through one host is refused by all of them.
struct SharedKeysWatcher: Service {
  let repository: SharedKeyRepository
  let frontDoor: HTTPFrontDoor
  let logger: Logger

  func run() async throws {
    let changes = repository.store.changes()
    await cancelWhenGracefulShutdown {
      for await change in changes where change == .documentWritten(name: SharedKeyRepository.documentName) {
        do {
          if let keys = try await repository.current() {
            frontDoor.updateKeys(keys)
            logger.info("function keys changed in the shared store; now enforcing the new keys")
          }
        } catch is CancellationError {
          return
        } catch {
          logger.error("function keys changed in the shared store but cannot be read: \(error); still enforcing the previous keys")
        }
      }
    }
  }
}
