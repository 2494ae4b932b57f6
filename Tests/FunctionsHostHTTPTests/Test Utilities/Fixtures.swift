import Foundation
import FunctionsHostCore
import FunctionsRPC
import Hummingbird
import Logging
import Synchronization

/// An HTTP-triggered function as function.json would declare it.
func httpFunction(
  _ name: String,
  route: String? = nil,
  methods: [String]? = nil,
  disabled: Bool = false,
  output: String = "$return",
  authLevel: String = "anonymous"
) -> FunctionMetadata {
  var properties: [String: JSONValue] = ["authLevel": .string(authLevel)]
  if let route { properties["route"] = .string(route) }
  if let methods { properties["methods"] = .array(methods.map { .string($0) }) }
  return FunctionMetadata(
    name: name,
    functionID: "id-\(name)",
    directory: "/app/\(name)",
    scriptFile: "/app/\(name)/__init__.py",
    bindings: [
      BindingMetadata(name: "req", type: "httpTrigger", direction: .in, properties: properties),
      BindingMetadata(name: output, type: "http", direction: .out),
    ],
    isDisabled: disabled
  )
}

/// A timer-triggered function (never routed).
func timerFunction(_ name: String) -> FunctionMetadata {
  FunctionMetadata(
    name: name,
    functionID: "id-\(name)",
    directory: "/app/\(name)",
    scriptFile: "/app/\(name)/__init__.py",
    bindings: [BindingMetadata(name: "timer", type: "timerTrigger", direction: .in)]
  )
}

extension AzureFunctionsRpcMessages_TypedData {
  static func string(_ s: String) -> Self {
    var d = Self()
    d.data = .string(s)
    return d
  }
  static func json(_ s: String) -> Self {
    var d = Self()
    d.data = .json(s)
    return d
  }
  static func bytes(_ b: [UInt8]) -> Self {
    var d = Self()
    d.data = .bytes(Data(b))
    return d
  }
  static func http(
    status: String = "",
    headers: [String: String] = [:],
    body: Self? = nil,
    cookies: [AzureFunctionsRpcMessages_RpcHttpCookie] = []
  ) -> Self {
    var h = AzureFunctionsRpcMessages_RpcHttp()
    h.statusCode = status
    h.headers = headers
    if let body { h.body = body }
    h.cookies = cookies
    var d = Self()
    d.data = .http(h)
    return d
  }
}

/// A logger that drops everything.
let quietLogger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

/// Collects a response body.
struct CollectingWriter: ResponseBodyWriter {
  final class Box: Sendable {
    let buffer = Mutex(ByteBuffer())
  }
  let box = Box()
  mutating func write(_ buffer: ByteBuffer) async throws {
    box.buffer.withLock { _ = $0.writeImmutableBuffer(buffer) }
  }
  consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

extension Response {
  /// The body as a string.
  func bodyText() async throws -> String {
    let writer = CollectingWriter()
    let box = writer.box
    try await body.write(writer)
    return box.buffer.withLock { String(buffer: $0) }
  }
}
