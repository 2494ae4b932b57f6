internal import Foundation
internal import FunctionsRPC
internal import NIOCore
internal import SwiftProtobuf

/// Encodes a `StreamingMessage` holding an `InvocationRequest` (the message of every invocation) with
/// each nested size computed once. SwiftProtobuf sizes a nested message again at every level it is
/// nested in — the request's RpcHttp four times — which made serialization about a tenth of the host's
/// CPU per HTTP request.
///
/// The bytes are the ones `serializedBytes()` produces (fields in number order, map entries in the
/// dictionary's order, unknown fields kept); parts this encoder does not know field by field (retry
/// context, shared memory, collections, model bindings, RpcHttp cookies, identities and nullable maps,
/// any unknown fields) are encoded by SwiftProtobuf and embedded.
struct InvocationRequestEncoder {
  /// The message's size in bytes.
  let size: Int
  private let requestID: String
  private let request: AzureFunctionsRpcMessages_InvocationRequest
  private let requestSize: Int
  private let bindings: [SizedBinding]
  private let metadata: [(key: String, value: SizedTypedData)]
  private let traceContextSize: Int
  private let retryContext: [UInt8]?

  /// An encoder for `message`, or `nil` when it holds no invocation request (or unknown fields).
  init?(_ message: AzureFunctionsRpcMessages_StreamingMessage) throws {
    guard case .invocationRequest(let request) = message.content, message.unknownFields.data.isEmpty else {
      return nil
    }
    try self.init(request: request, requestID: message.requestID)
  }

  /// An encoder for the `StreamingMessage` holding `request` (no copy of it into a message first), or
  /// `nil` when the request has unknown fields.
  init?(request: AzureFunctionsRpcMessages_InvocationRequest, requestID: String = "") throws {
    guard request.unknownFields.data.isEmpty else { return nil }
    self.requestID = requestID
    self.request = request
    var total = ProtoWire.optionalString(1, request.invocationID) + ProtoWire.optionalString(2, request.functionID)
    var bindings: [SizedBinding] = []
    bindings.reserveCapacity(request.inputData.count)
    for binding in request.inputData {
      let sized = try SizedBinding(binding)
      total += ProtoWire.delimited(3, sized.size)
      bindings.append(sized)
    }
    var metadata: [(key: String, value: SizedTypedData)] = []
    metadata.reserveCapacity(request.triggerMetadata.count)
    for (key, value) in request.triggerMetadata {
      let sized = try SizedTypedData(value)
      total += ProtoWire.delimited(4, ProtoWire.string(1, key) + ProtoWire.delimited(2, sized.size))
      metadata.append((key, sized))
    }
    if request.hasTraceContext {
      let trace = request.traceContext
      traceContextSize =
        ProtoWire.optionalString(1, trace.traceParent) + ProtoWire.optionalString(2, trace.traceState)
        + ProtoWire.stringMap(3, trace.attributes) + trace.unknownFields.data.count
      total += ProtoWire.delimited(5, traceContextSize)
    } else {
      traceContextSize = 0
    }
    if request.hasRetryContext {
      let bytes: [UInt8] = try request.retryContext.serializedBytes()
      total += ProtoWire.delimited(6, bytes.count)
      retryContext = bytes
    } else {
      retryContext = nil
    }
    self.bindings = bindings
    self.metadata = metadata
    requestSize = total
    size = ProtoWire.optionalString(1, requestID) + ProtoWire.delimited(4, total)
  }

  /// Writes the message (without the gRPC length prefix).
  func write(into buffer: inout ByteBuffer) {
    let size = self.size
    buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { memory in
      var writer = ProtoWriter(memory)
      write(into: &writer)
      precondition(writer.offset == size, "encoded \(writer.offset) bytes, sized \(size)")
      return size
    }
  }

  private func write(into buffer: inout ProtoWriter) {
    buffer.writeOptionalStringField(1, requestID)
    buffer.writeDelimitedHeader(4, requestSize)
    buffer.writeOptionalStringField(1, request.invocationID)
    buffer.writeOptionalStringField(2, request.functionID)
    for binding in bindings {
      buffer.writeDelimitedHeader(3, binding.size)
      binding.write(into: &buffer)
    }
    for (key, value) in metadata {
      buffer.writeDelimitedHeader(4, ProtoWire.string(1, key) + ProtoWire.delimited(2, value.size))
      buffer.writeStringField(1, key)
      buffer.writeDelimitedHeader(2, value.size)
      value.write(into: &buffer)
    }
    if request.hasTraceContext {
      let trace = request.traceContext
      buffer.writeDelimitedHeader(5, traceContextSize)
      buffer.writeOptionalStringField(1, trace.traceParent)
      buffer.writeOptionalStringField(2, trace.traceState)
      buffer.writeStringMap(3, trace.attributes)
      buffer.writeBytes(trace.unknownFields.data)
    }
    if let retryContext {
      buffer.writeDelimitedHeader(6, retryContext.count)
      buffer.writeBytes(retryContext)
    }
  }
}

/// A `ParameterBinding` with its size.
private struct SizedBinding {
  enum Content {
    case typed(SizedTypedData)
    case encoded([UInt8])
  }
  let name: String
  let content: Content
  let size: Int

  init(_ binding: AzureFunctionsRpcMessages_ParameterBinding) throws {
    name = binding.name
    switch binding.rpcData {
    case .data(let data)? where binding.unknownFields.data.isEmpty:
      let typed = try SizedTypedData(data)
      content = .typed(typed)
      size = ProtoWire.optionalString(1, name) + ProtoWire.delimited(2, typed.size)
    default:
      let bytes: [UInt8] = try binding.serializedBytes()
      content = .encoded(bytes)
      size = bytes.count
    }
  }

  func write(into buffer: inout ProtoWriter) {
    switch content {
    case .typed(let typed):
      buffer.writeOptionalStringField(1, name)
      buffer.writeDelimitedHeader(2, typed.size)
      typed.write(into: &buffer)
    case .encoded(let bytes):
      buffer.writeBytes(bytes)
    }
  }
}

/// A `TypedData` with its size (the content of the message, without its own tag and length).
private struct SizedTypedData {
  enum Content {
    case none
    case string(field: Int, String)
    case bytes(field: Int, Data)
    indirect case http(SizedHTTP)
    case encoded([UInt8])
  }
  let content: Content
  let size: Int

  init(_ data: AzureFunctionsRpcMessages_TypedData) throws {
    guard data.unknownFields.data.isEmpty else {
      self.init(encoded: try data.serializedBytes())
      return
    }
    switch data.data {
    case nil:
      self.init(content: .none, size: 0)
    case .string(let text)?:
      self.init(content: .string(field: 1, text), size: ProtoWire.string(1, text))
    case .json(let text)?:
      self.init(content: .string(field: 2, text), size: ProtoWire.string(2, text))
    case .bytes(let bytes)?:
      self.init(content: .bytes(field: 3, bytes), size: ProtoWire.delimited(3, bytes.count))
    case .stream(let bytes)?:
      self.init(content: .bytes(field: 4, bytes), size: ProtoWire.delimited(4, bytes.count))
    case .http(let http)? where SizedHTTP.handles(http):
      let sized = try SizedHTTP(http)
      self.init(content: .http(sized), size: ProtoWire.delimited(5, sized.size))
    default:
      self.init(encoded: try data.serializedBytes())
    }
  }

  private init(encoded bytes: [UInt8]) {
    self.init(content: .encoded(bytes), size: bytes.count)
  }

  private init(content: Content, size: Int) {
    self.content = content
    self.size = size
  }

  func write(into buffer: inout ProtoWriter) {
    switch content {
    case .none: break
    case .string(let field, let text): buffer.writeStringField(field, text)
    case .bytes(let field, let bytes): buffer.writeBytesField(field, bytes)
    case .http(let http):
      buffer.writeDelimitedHeader(5, http.size)
      http.write(into: &buffer)
    case .encoded(let bytes): buffer.writeBytes(bytes)
    }
  }
}

/// An `RpcHttp` request with its size: method, url, headers, body, params, status and query (what the
/// host sends); others are encoded by SwiftProtobuf.
private struct SizedHTTP {
  let http: AzureFunctionsRpcMessages_RpcHttp
  let body: SizedTypedData?
  let size: Int

  /// Whether only the fields this encoder writes are set.
  static func handles(_ http: AzureFunctionsRpcMessages_RpcHttp) -> Bool {
    !http.enableContentNegotiation && !http.hasRawBody && http.identities.isEmpty && http.cookies.isEmpty
      && http.nullableHeaders.isEmpty && http.nullableParams.isEmpty && http.nullableQuery.isEmpty
      && http.unknownFields.data.isEmpty
  }

  init(_ http: AzureFunctionsRpcMessages_RpcHttp) throws {
    self.http = http
    var total = ProtoWire.optionalString(1, http.method) + ProtoWire.optionalString(2, http.url)
    total += ProtoWire.stringMap(3, http.headers)
    if http.hasBody {
      let body = try SizedTypedData(http.body)
      total += ProtoWire.delimited(4, body.size)
      self.body = body
    } else {
      body = nil
    }
    total += ProtoWire.stringMap(10, http.params)
    total += ProtoWire.optionalString(12, http.statusCode)
    total += ProtoWire.stringMap(15, http.query)
    size = total
  }

  func write(into buffer: inout ProtoWriter) {
    buffer.writeOptionalStringField(1, http.method)
    buffer.writeOptionalStringField(2, http.url)
    buffer.writeStringMap(3, http.headers)
    if let body {
      buffer.writeDelimitedHeader(4, body.size)
      body.write(into: &buffer)
    }
    buffer.writeStringMap(10, http.params)
    buffer.writeOptionalStringField(12, http.statusCode)
    buffer.writeStringMap(15, http.query)
  }
}
