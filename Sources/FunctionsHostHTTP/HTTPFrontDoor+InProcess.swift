package import Hummingbird
package import Logging
internal import NIOCore
internal import Synchronization

extension HTTPFrontDoor {
  /// Answers one request in-process, without a socket: the same routing, key checks, CORS and
  /// conversions as a request that came over the network (`FunctionsApplication` uses it).
  ///
  /// - Parameters:
  ///   - request: the request head; its `path` holds the target (`/api/hello?name=x`).
  ///   - body: the whole request body.
  ///   - logger: the request's logger.
  /// - Returns: the response head and its whole body.
  package func respond(
    to request: HTTPRequest, body: [UInt8], logger: Logger
  ) async throws -> (HTTPResponse, [UInt8]) {
    let response = try await makeResponder().respond(
      to: Request(head: request, body: RequestBody(buffer: ByteBuffer(bytes: body))), logger: logger)
    let writer = InProcessBodyWriter()
    let collected = writer.collected
    try await response.body.write(writer)
    return (response.head, collected.withLock { $0 })
  }
}

/// Collects a response body into memory.
private struct InProcessBodyWriter: ResponseBodyWriter {
  let collected = Box()

  final class Box: Sendable {
    private let bytes = Mutex<[UInt8]>([])
    func append(_ buffer: ByteBuffer) { bytes.withLock { $0 += buffer.readableBytesView } }
    func withLock<T>(_ body: ([UInt8]) -> T) -> T { bytes.withLock { body($0) } }
  }

  mutating func write(_ buffer: ByteBuffer) async throws { collected.append(buffer) }
  consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
