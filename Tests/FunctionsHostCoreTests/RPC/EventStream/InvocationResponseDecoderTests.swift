import Foundation
import FunctionsRPC
import SwiftProtobuf
import Testing

@testable import FunctionsHostCore

/// The hand-written decoder must give exactly SwiftProtobuf's message for what it decodes, and give up
/// (`nil`, so that SwiftProtobuf decodes) on everything else.
@Suite struct InvocationResponseDecoderTests {
  typealias Message = AzureFunctionsRpcMessages_StreamingMessage
  typealias TypedData = AzureFunctionsRpcMessages_TypedData

  static func typed(_ data: TypedData.OneOf_Data?) -> TypedData { .holding(data) }

  static func response(returnValue: TypedData?, status: AzureFunctionsRpcMessages_StatusResult.Status = .success)
    -> Message
  {
    var response = AzureFunctionsRpcMessages_InvocationResponse()
    response.invocationID = "8a4e8c8d-2a9a-4d6e-9c1e-000000000001"
    if let returnValue { response.returnValue = returnValue }
    response.result.status = status
    var message = Message()
    message.requestID = "req-1"
    message.invocationResponse = response
    return message
  }

  static func httpValue(body: TypedData?) -> TypedData {
    var http = AzureFunctionsRpcMessages_RpcHttp()
    http.statusCode = "201"
    http.headers = ["content-type": "text/plain; charset=utf-8", "x-ünï": "välue ✓", "empty": ""]
    if let body { http.body = body }
    http.enableContentNegotiation = true
    return typed(.http(http))
  }

  static func decoded(_ bytes: [UInt8]) -> Message? {
    bytes.withUnsafeBytes { InvocationResponseDecoder.decode($0) }
  }

  static func expectSameMessage(_ message: Message) throws {
    let bytes: [UInt8] = try message.serializedBytes()
    let ours = try #require(decoded(bytes), "the decoder gave up on \(message)")
    #expect(ours == (try Message(serializedBytes: bytes)))
    #expect(ours == message)
  }

  @Test func theResponsesWorkersSendAreDecodedAsSwiftProtobufDecodesThem() throws {
    try Self.expectSameMessage(Self.response(returnValue: nil))
    try Self.expectSameMessage(Self.response(returnValue: Self.typed(.string("Hello, bench!"))))
    try Self.expectSameMessage(Self.response(returnValue: Self.typed(.string(""))))
    try Self.expectSameMessage(Self.response(returnValue: Self.typed(nil)))
    try Self.expectSameMessage(Self.response(returnValue: Self.typed(.json(#"{"a":[1,2]}"#)), status: .failure))
    try Self.expectSameMessage(Self.response(returnValue: Self.typed(.bytes(Data(repeating: 9, count: 70_000)))))
    try Self.expectSameMessage(Self.response(returnValue: Self.typed(.stream(Data([0, 1, 2])))))
    for value: Int64 in [0, 1, -1, .max, .min, 300, -300] {
      try Self.expectSameMessage(Self.response(returnValue: Self.typed(.int(value))))
    }
    for value in [0.0, -2.5, .infinity, 1e300] {
      try Self.expectSameMessage(Self.response(returnValue: Self.typed(.double(value))))
    }
    try Self.expectSameMessage(Self.response(returnValue: Self.httpValue(body: Self.typed(.string("ok")))))
    try Self.expectSameMessage(Self.response(returnValue: Self.httpValue(body: Self.typed(.bytes(Data())))))
    try Self.expectSameMessage(Self.response(returnValue: Self.httpValue(body: nil)))
    try Self.expectSameMessage(Self.response(returnValue: nil, status: .cancelled))
    try Self.expectSameMessage(Self.response(returnValue: nil, status: .UNRECOGNIZED(7)))
    var outputs = Self.response(returnValue: Self.httpValue(body: Self.typed(.string("x"))))
    var binding = AzureFunctionsRpcMessages_ParameterBinding()
    binding.name = "msg"
    binding.data = Self.typed(.string("queued"))
    var empty = AzureFunctionsRpcMessages_ParameterBinding()
    empty.name = "none"
    outputs.invocationResponse.outputData = [binding, binding, empty]
    outputs.invocationResponse.result.result = "done"
    try Self.expectSameMessage(outputs)
  }

  @Test func everythingElseIsLeftToSwiftProtobuf() throws {
    var failure = Self.response(returnValue: nil, status: .failure)
    failure.invocationResponse.result.exception.message = "ValueError: boom"
    var cookies = Self.httpValue(body: nil)
    var cookie = AzureFunctionsRpcMessages_RpcHttpCookie()
    cookie.name = "c"
    cookies.http.cookies = [cookie]
    var collection = AzureFunctionsRpcMessages_CollectionString()
    collection.string = ["a"]
    var log = Message()
    log.rpcLog.message = "hello"
    for message in [
      failure, Self.response(returnValue: cookies), Self.response(returnValue: Self.typed(.collectionString(collection))),
      log, Message(),
    ] {
      let bytes: [UInt8] = try message.serializedBytes()
      #expect(Self.decoded(bytes) == nil, "\(message)")
    }
    // Unknown fields, invalid UTF-8, a truncated message, a value given twice.
    var bytes: [UInt8] = try Self.response(returnValue: Self.typed(.string("ok"))).serializedBytes()
    #expect(Self.decoded(bytes + [0xF8, 0x01, 0x01]) == nil)
    #expect(Self.decoded(Array(bytes.dropLast())) == nil)
    let text = Array("ok".utf8)
    let at = try #require(bytes.indices.first { bytes[$0...].starts(with: text) })
    bytes[at] = 0xFF
    #expect(Self.decoded(bytes) == nil)
    #expect(throws: (any Error).self) { try Message(serializedBytes: bytes) }
    let twice: [UInt8] = [0x2A, 0x08, 0x22, 0x06, 0x0A, 0x01, 0x61, 0x0A, 0x01, 0x62]  // response { return_value { string "a"; string "b" } }
    #expect(Self.decoded(twice) == nil)
    #expect(try Message(serializedBytes: twice).invocationResponse.returnValue.string == "b")
  }
}
