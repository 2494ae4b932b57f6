internal import NIOCore

/// The host's side of one `FunctionRpc/EventStream` HTTP/2 stream, as a pure value: request headers,
/// gRPC message framing (1-byte compressed flag, 4-byte big-endian length, protobuf), the size limit of
/// each phase, StartStream first, the start timeout and the end of the stream. It returns what to do
/// next; ``EventStreamHandler`` does the I/O, decodes protobuf and looks workers up.
///
/// Before StartStream only a small message is accepted, and a length prefix over the phase's limit is
/// refused as soon as its five bytes arrive, before any of the body is buffered.
struct EventStreamStateMachine {
  /// Message size limits, in bytes of protobuf (the 5-byte prefix excluded).
  struct Limits: Sendable, Hashable {
    /// Largest message accepted before the stream is attached to a worker (the StartStream).
    var beforeStart: Int = 64 * 1024
    /// Largest message accepted from an attached worker.
    var afterStart: Int = Int(Int32.max)
  }

  /// Where the stream is.
  enum Phase: Sendable, Hashable {
    /// Waiting for the request headers.
    case awaitingHeaders
    /// Headers accepted; the first message must be a StartStream with a known worker id.
    case awaitingStartStream
    /// Attached to a worker: every message goes to its channel.
    case attached
    /// Ended (answered with trailers, reset, or closed).
    case closed
  }

  /// The EventStream's full method path.
  static let path = "/AzureFunctionsRpcMessages.FunctionRpc/EventStream"

  let limits: Limits
  private(set) var phase: Phase = .awaitingHeaders
  /// Bytes received and not yet returned as messages.
  private var pending: ByteBuffer? = nil

  init(limits: Limits) {
    self.limits = limits
  }

  /// Bytes of an incomplete message held.
  var bufferedBytes: Int { pending?.readableBytes ?? 0 }

  // MARK: - Headers

  /// How to answer request headers.
  enum HeadersAction: Sendable, Hashable {
    /// Send the response headers (`:status 200`, `content-type: application/grpc`).
    case accept
    /// Answer with a trailers-only response carrying this status, then close the stream.
    case reject(EventStreamStatus)
    /// Nothing to do (headers after the first block that do not end the stream).
    case none
  }

  /// The request's headers (`method`, `path`, `content-type`, `grpc-encoding`).
  mutating func headersReceived(method: String?, path: String?, contentType: String?, encoding: String?)
    -> HeadersAction
  {
    guard phase == .awaitingHeaders else { return .none }
    let status: EventStreamStatus
    if method != "POST" {
      status = .unimplemented("method \(method ?? "(none)") is not POST")
    } else if !(contentType ?? "").lowercased().hasPrefix("application/grpc") {
      status = .invalidArgument("content-type \(contentType ?? "(none)") is not application/grpc")
    } else if path != Self.path {
      status = .unimplemented("this server serves only \(Self.path)")
    } else if let encoding, encoding.lowercased() != "identity" {
      status = .unimplemented("grpc-encoding \(encoding) is not supported (identity only)")
    } else {
      phase = .awaitingStartStream
      return .accept
    }
    phase = .closed
    return .reject(status)
  }

  // MARK: - Messages

  /// Adds bytes of the request body; call ``nextMessage()`` until it says `.needMoreData`.
  mutating func dataReceived(_ bytes: ByteBuffer) {
    guard phase == .awaitingStartStream || phase == .attached, bytes.readableBytes > 0 else { return }
    if var buffer = pending.take() {
      buffer.writeImmutableBuffer(bytes)
      pending = buffer
    } else {
      pending = bytes
    }
  }

  /// The next step for the bytes held.
  enum ReadAction: Sendable, Hashable {
    /// One whole message's protobuf bytes. While ``phase`` is `.awaitingStartStream` it is the first
    /// message: report what it was with ``firstMessageHandled(_:)`` before reading on.
    case message(ByteBuffer)
    /// No whole message yet.
    case needMoreData
    /// The stream breaks the rules: end it with this status.
    case fail(EventStreamStatus)
  }

  /// Returns the next whole message, or why not.
  mutating func nextMessage() -> ReadAction {
    guard phase == .awaitingStartStream || phase == .attached else { return .needMoreData }
    guard var buffer = pending.take() else { return .needMoreData }
    guard buffer.readableBytes >= 5,
      let flag = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
      let length = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt32.self)
    else {
      pending = buffer
      return .needMoreData
    }
    if flag != 0 {
      close()
      return .fail(.internal("a compressed message arrived, but no grpc-encoding was agreed"))
    }
    let limit = phase == .attached ? limits.afterStart : limits.beforeStart
    guard Int(length) <= limit else {
      let when = phase == .attached ? "" : " before StartStream"
      close()
      return .fail(.resourceExhausted("a message of \(length) bytes is over the limit of \(limit) bytes\(when)"))
    }
    guard buffer.readableBytes >= 5 + Int(length) else {
      pending = buffer
      return .needMoreData
    }
    buffer.moveReaderIndex(forwardBy: 5)
    let message = buffer.readSlice(length: Int(length))!
    if buffer.readableBytes > 0 { pending = buffer }
    return .message(message)
  }

  /// What the first message turned out to be.
  enum FirstMessage: Sendable, Hashable {
    /// A StartStream whose worker id was attached to this stream.
    case attached
    /// Not a StreamingMessage.
    case undecodable
    /// A message other than StartStream.
    case notStartStream
    /// A StartStream with a worker id this host did not issue.
    case unknownWorker
    /// A StartStream for a worker that already has a stream (kept; this one is refused).
    case alreadyAttached
    /// A StartStream with a valid worker id from a process that is not the launched worker's.
    case notTheLaunchedProcess
  }

  /// Records the outcome of the first message; returns the status to end the stream with, if any.
  mutating func firstMessageHandled(_ outcome: FirstMessage) -> EventStreamStatus? {
    guard phase == .awaitingStartStream else { return nil }
    let status: EventStreamStatus
    switch outcome {
    case .attached:
      phase = .attached
      return nil
    case .undecodable: status = .invalidArgument("the first message is not a StreamingMessage")
    case .notStartStream: status = .failedPrecondition("the first message must be StartStream")
    case .unknownWorker: status = .permissionDenied("unknown worker id")
    case .alreadyAttached: status = .alreadyExists("this worker id already has a stream")
    case .notTheLaunchedProcess: status = .permissionDenied("this connection does not come from the launched worker process")
    }
    close()
    return status
  }

  /// A message after StartStream that is not a StreamingMessage: the stream ends with this status.
  mutating func undecodableMessage() -> EventStreamStatus? {
    guard phase == .attached else { return nil }
    close()
    return .invalidArgument("a message is not a StreamingMessage")
  }

  // MARK: - Ending

  /// What to do when the stream ends or must end.
  enum EndAction: Sendable, Hashable {
    /// Nothing (already closed).
    case none
    /// Send trailers with this status and close the stream.
    case finish(EventStreamStatus)
    /// The worker's stream is gone without trailers (reset or connection lost): tell its channel.
    case streamLost
  }

  /// The client ended its side (END_STREAM). The worker's stream ends: trailers follow.
  mutating func endOfStreamReceived() -> EndAction {
    switch phase {
    case .closed: return .none
    case .awaitingHeaders, .awaitingStartStream:
      close()
      return .finish(.failedPrecondition("the stream ended before StartStream"))
    case .attached:
      let partial = bufferedBytes > 0
      close()
      return .finish(partial ? .internal("the stream ended in the middle of a message") : .ok())
    }
  }

  /// The start timeout elapsed (armed when the stream opened).
  mutating func startTimeoutElapsed(after timeout: String) -> EndAction {
    switch phase {
    case .awaitingHeaders, .awaitingStartStream:
      close()
      return .finish(.deadlineExceeded("no StartStream within \(timeout)"))
    case .attached, .closed:
      return .none
    }
  }

  /// The stream was reset or its connection closed.
  mutating func streamClosed() -> EndAction {
    let wasAttached = phase == .attached
    close()
    return wasAttached ? .streamLost : .none
  }

  private mutating func close() {
    phase = .closed
    pending = nil
  }
}
