internal import HummingbirdCore
internal import Logging
internal import NIOCore
internal import NIOHTTP1

/// Hummingbird's HTTP/1 child channel with ``HTTP1RequestGuard`` between the HTTP/1 parser and the
/// conversion to `HTTPRequest` (Hummingbird's own extra handlers sit after that conversion).
struct GuardedHTTP1Channel: ServerChildChannel {
  typealias Value = HTTP1Channel.Value

  let inner: HTTP1Channel
  /// The responder whose function requests are answered on the event loop; `nil` turns that path off.
  var eventLoopResponder: FrontDoorResponder? = nil
  var serverName: String? = nil
  /// How long a request head may take from its first byte; `nil`: no limit.
  var requestHeadTimeout: Duration? = nil
  /// The slowest request body accepted while the host reads it, and its grace; `nil`: no limit.
  var minimumBodyRate: (bytesPerSecond: Int, grace: Duration)? = nil

  func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
    inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
      let pipeline = channel.pipeline.syncOperations
      // NIO adds the response encoder, then the request decoder: the guard goes right after the decoder.
      let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
      let guardHandler = HTTP1RequestGuard()
      if let requestHeadTimeout {
        let progress = RequestProgress()
        guardHandler.progress = progress
        // First in the pipeline: it sees the raw bytes before the parser.
        try pipeline.addHandler(
          RequestHeadTimeoutHandler(
            timeout: .nanoseconds(Int64(requestHeadTimeout / .nanoseconds(1))), progress: progress),
          position: .first)
      }
      try pipeline.addHandler(guardHandler, position: .after(decoder))
      if let minimumBodyRate {
        try pipeline.addHandler(
          MinimumBodyRateHandler(bytesPerSecond: minimumBodyRate.bytesPerSecond, grace: minimumBodyRate.grace),
          position: .after(guardHandler))
      }
      if let responder = eventLoopResponder {
        // After the connection-state handler (idle timeout, Connection: close see both paths), before
        // Hummingbird's async channel.
        let state = try pipeline.handler(type: HTTPConnectionStateHandler.self)
        try pipeline.addHandler(
          EventLoopInvocationHandler(responder: responder, logger: logger, serverName: serverName),
          position: .after(state))
      }
      return value
    }
  }

  func handle(value: Value, logger: Logger) async {
    await inner.handle(value: value, logger: logger)
  }
}
