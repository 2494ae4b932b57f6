internal import Hummingbird
internal import Logging

/// The per-request context of the front door: only the request's logger.
///
/// Deliberately not a full `RequestContext` (no router parameter storage, coders or endpoint
/// box), so building it per request allocates nothing.
struct FrontDoorRequestContext: InitializableFromSource {
  /// The request logger (with Hummingbird's `hb.request.id`).
  var logger: Logger

  /// Creates the context from Hummingbird's per-request source.
  init(source: ApplicationRequestContextSource) {
    self.logger = source.logger
  }

  /// Creates a context with a logger (tests).
  init(logger: Logger) {
    self.logger = logger
  }
}
