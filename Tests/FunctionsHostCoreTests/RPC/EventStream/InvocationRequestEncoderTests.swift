import Foundation
import FunctionsRPC
import NIOCore
import SwiftProtobuf
import Testing

@testable import FunctionsHostCore

/// The hand-written encoder must produce exactly SwiftProtobuf's bytes (the same dictionaries iterate in
/// the same order), for what the host sends and for every part it leaves to SwiftProtobuf.
@Suite struct InvocationRequestEncoderTests {
  typealias Message = AzureFunctionsRpcMessages_StreamingMessage
  typealias TypedData = AzureFunctionsRpcMessages_TypedData

  static func typed(_ data: TypedData.OneOf_Data?) -> TypedData { .holding(data) }

  static func binding(_ name: String, _ data: TypedData) -> AzureFunctionsRpcMessages_ParameterBinding {
    var binding = AzureFunctionsRpcMessages_ParameterBinding()
    binding.name = name
    binding.data = data
    return binding
  }

  /// An HTTP request as the front door builds it.
  static func httpRequest(body: Data?, long: Bool = false) -> Message {
    var http = AzureFunctionsRpcMessages_RpcHttp()
    http.method = "POST"
    http.url = "http://127.0.0.1:7071/api/hello?name=bench" + (long ? String(repeating: "x", count: 300) : "")
    http.headers = ["host": "127.0.0.1:7071", "user-agent": "wrk", "x-ünïcode": "välue ✓", "empty": ""]
    if let body { http.body = typed(.bytes(body)) }
    http.params = ["id": "42", "name": String(repeating: "n", count: long ? 20_000 : 3)]
    http.query = ["name": "bench", "code": "k"]
    var request = AzureFunctionsRpcMessages_InvocationRequest()
    request.invocationID = "8a4e8c8d-2a9a-4d6e-9c1e-000000000001"
    request.functionID = "function-1"
    request.inputData = [binding("req", typed(.http(http)))]
    request.triggerMetadata = [
      "Query": typed(.json(#"{"name":"bench"}"#)), "Headers": typed(.json("{}")), "name": typed(.string("bench")),
      "blank": typed(.string("")), "none": typed(nil),
    ]
    var trace = AzureFunctionsRpcMessages_RpcTraceContext()
    trace.traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    trace.attributes = ["ProcessId": "1234", "LogLevel": "Information"]
    request.traceContext = trace
    var message = Message()
    message.invocationRequest = request
    return message
  }

  static func encoded(_ message: Message) throws -> [UInt8] {
    let encoder = try #require(try InvocationRequestEncoder(message))
    var buffer = ByteBuffer()
    encoder.write(into: &buffer)
    #expect(buffer.readableBytes == encoder.size)
    return Array(buffer.readableBytesView)
  }

  static func expectSameBytes(_ message: Message) throws {
    let ours = try encoded(message)
    let reference: [UInt8] = try message.serializedBytes()
    #expect(ours == reference, "\(ours.count) bytes against SwiftProtobuf's \(reference.count)")
    #expect(try Message(serializedBytes: ours) == message)
  }

  @Test(arguments: [nil, Data(), Data("hello".utf8), Data(repeating: 7, count: 70_000)])
  func anHTTPInvocationIsEncodedAsSwiftProtobufEncodesIt(body: Data?) throws {
    try Self.expectSameBytes(Self.httpRequest(body: body))
    try Self.expectSameBytes(Self.httpRequest(body: body, long: true))
  }

  @Test func everyTypedDataKindAndARequestIDAreEncodedTheSame() throws {
    var message = Self.httpRequest(body: Data("x".utf8))
    message.requestID = "request-7"
    var collection = AzureFunctionsRpcMessages_CollectionString()
    collection.string = ["a", "b"]
    message.invocationRequest.inputData += [
      Self.binding("s", Self.typed(.string(""))), Self.binding("j", Self.typed(.json("[1,2]"))),
      Self.binding("st", Self.typed(.stream(Data([1, 2, 3])))), Self.binding("i", Self.typed(.int(-5))),
      Self.binding("d", Self.typed(.double(2.5))), Self.binding("c", Self.typed(.collectionString(collection))),
      Self.binding("", Self.typed(nil)),
    ]
    try Self.expectSameBytes(message)
  }

  @Test func partsLeftToSwiftProtobufAreEmbeddedUnchanged() throws {
    var message = Self.httpRequest(body: nil)
    var retry = AzureFunctionsRpcMessages_RetryContext()
    retry.retryCount = 2
    retry.maxRetryCount = 5
    message.invocationRequest.retryContext = retry
    var memory = AzureFunctionsRpcMessages_ParameterBinding()
    memory.name = "shared"
    memory.rpcSharedMemory = AzureFunctionsRpcMessages_RpcSharedMemory()
    message.invocationRequest.inputData.append(memory)
    // An RpcHttp with cookies and nullable headers, and a TypedData with unknown fields.
    var http = AzureFunctionsRpcMessages_RpcHttp()
    http.method = "GET"
    var cookie = AzureFunctionsRpcMessages_RpcHttpCookie()
    cookie.name = "c"
    http.cookies = [cookie]
    message.invocationRequest.inputData.append(Self.binding("cookies", Self.typed(.http(http))))
    var unknown = Self.typed(.string("u"))
    try unknown.merge(serializedBytes: [0xF8, 0x01, 0x01] as [UInt8])  // field 31, varint 1
    #expect(!unknown.unknownFields.data.isEmpty)
    message.invocationRequest.triggerMetadata["unknown"] = unknown
    message.invocationRequest.traceContext.traceState = "vendor=1"
    try Self.expectSameBytes(message)
  }

  @Test func aRequestIsEncodedAsTheMessageHoldingIt() throws {
    let message = Self.httpRequest(body: Data("abc".utf8))
    let encoder = try #require(try InvocationRequestEncoder(request: message.invocationRequest))
    var buffer = ByteBuffer()
    encoder.write(into: &buffer)
    #expect(Array(buffer.readableBytesView) == (try message.serializedBytes() as [UInt8]))
    var unknown = message.invocationRequest
    try unknown.merge(serializedBytes: [0xF8, 0x01, 0x01] as [UInt8])
    #expect(try InvocationRequestEncoder(request: unknown) == nil)
  }

  @Test func otherMessagesAreLeftToSwiftProtobuf() throws {
    var message = Message()
    message.invocationResponse = AzureFunctionsRpcMessages_InvocationResponse()
    #expect(try InvocationRequestEncoder(message) == nil)
    var withUnknown = Self.httpRequest(body: nil)
    try withUnknown.merge(serializedBytes: [0xF8, 0x01, 0x01] as [UInt8])
    #expect(try InvocationRequestEncoder(withUnknown) == nil)
  }
}
