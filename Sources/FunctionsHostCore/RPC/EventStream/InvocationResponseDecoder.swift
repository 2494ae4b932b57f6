internal import Foundation
internal import FunctionsRPC

/// Decodes the common shape of a worker's `StreamingMessage` holding an `InvocationResponse` (the message
/// of every answered invocation) without SwiftProtobuf's generic decoder, whose runtime generic-metadata
/// lookups and visitor calls made decoding ~6 % of the host's CPU per HTTP request.
///
/// Handles: the request id; the invocation id, output bindings, return value and result status; TypedData
/// strings, JSON, bytes, streams, integers, doubles and RpcHttp (method, url, headers, body, params,
/// status code, query, content negotiation). Anything else — an exception, logs, cookies, collections, a
/// repeated message field, unknown fields, invalid UTF-8, any other message — returns `nil`, and the
/// caller decodes with SwiftProtobuf, so the result is always the message SwiftProtobuf would make.
enum InvocationResponseDecoder {
  typealias Message = AzureFunctionsRpcMessages_StreamingMessage

  /// The message in `bytes`, or `nil` when it is not of the shape this decoder knows.
  static func decode(_ bytes: UnsafeRawBufferPointer) -> Message? {
    var reader = ProtoReader(bytes)
    var message = Message()
    var sawResponse = false
    while !reader.isAtEnd {
      guard let (field, wire) = reader.tag(), wire == 2, let body = reader.delimited() else { return nil }
      switch field {
      case 1:
        guard let text = ProtoReader.string(body) else { return nil }
        message.requestID = text
      case 5 where !sawResponse:
        guard let response = invocationResponse(body) else { return nil }
        message.invocationResponse = response
        sawResponse = true
      default:
        return nil
      }
    }
    return sawResponse ? message : nil
  }

  private static func invocationResponse(_ bytes: UnsafeRawBufferPointer) -> AzureFunctionsRpcMessages_InvocationResponse? {
    var reader = ProtoReader(bytes)
    var response = AzureFunctionsRpcMessages_InvocationResponse()
    var sawResult = false
    var sawReturnValue = false
    while !reader.isAtEnd {
      guard let (field, wire) = reader.tag(), wire == 2, let body = reader.delimited() else { return nil }
      switch field {
      case 1:
        guard let text = ProtoReader.string(body) else { return nil }
        response.invocationID = text
      case 2:
        guard let binding = parameterBinding(body) else { return nil }
        response.outputData.append(binding)
      case 3 where !sawResult:
        guard let result = statusResult(body) else { return nil }
        response.result = result
        sawResult = true
      case 4 where !sawReturnValue:
        guard let value = typedData(body) else { return nil }
        response.returnValue = value
        sawReturnValue = true
      default:
        return nil
      }
    }
    return response
  }

  private static func statusResult(_ bytes: UnsafeRawBufferPointer) -> AzureFunctionsRpcMessages_StatusResult? {
    var reader = ProtoReader(bytes)
    var result = AzureFunctionsRpcMessages_StatusResult()
    while !reader.isAtEnd {
      guard let (field, wire) = reader.tag() else { return nil }
      switch (field, wire) {
      case (4, 0):
        guard let value = reader.varint() else { return nil }
        result.status = .init(rawValue: Int(Int32(truncatingIfNeeded: value))) ?? .UNRECOGNIZED(Int(Int32(truncatingIfNeeded: value)))
      case (1, 2):
        guard let body = reader.delimited(), let text = ProtoReader.string(body) else { return nil }
        result.result = text
      default:
        return nil  // an exception or logs: SwiftProtobuf decodes those
      }
    }
    return result
  }

  private static func parameterBinding(_ bytes: UnsafeRawBufferPointer) -> AzureFunctionsRpcMessages_ParameterBinding? {
    var reader = ProtoReader(bytes)
    var binding = AzureFunctionsRpcMessages_ParameterBinding()
    var sawData = false
    while !reader.isAtEnd {
      guard let (field, wire) = reader.tag(), wire == 2, let body = reader.delimited() else { return nil }
      switch field {
      case 1:
        guard let text = ProtoReader.string(body) else { return nil }
        binding.name = text
      case 2 where !sawData:
        guard let data = typedData(body) else { return nil }
        binding.data = data
        sawData = true
      default:
        return nil
      }
    }
    return binding
  }

  private static func typedData(_ bytes: UnsafeRawBufferPointer) -> AzureFunctionsRpcMessages_TypedData? {
    var reader = ProtoReader(bytes)
    var data = AzureFunctionsRpcMessages_TypedData()
    var sawValue = false
    while !reader.isAtEnd {
      // One value only: a second one (oneof, last wins, messages merged) is left to SwiftProtobuf.
      guard !sawValue, let (field, wire) = reader.tag() else { return nil }
      sawValue = true
      switch (field, wire) {
      case (1, 2), (2, 2):
        guard let body = reader.delimited(), let text = ProtoReader.string(body) else { return nil }
        data.data = field == 1 ? .string(text) : .json(text)
      case (3, 2), (4, 2):
        guard let body = reader.delimited() else { return nil }
        let bytes = Data(body)
        data.data = field == 3 ? .bytes(bytes) : .stream(bytes)
      case (5, 2):
        guard let body = reader.delimited(), let http = rpcHttp(body) else { return nil }
        data.data = .http(http)
      case (6, 0):
        guard let value = reader.varint() else { return nil }
        data.data = .int(Int64(bitPattern: (value >> 1) ^ (0 &- (value & 1))))
      case (7, 1):
        guard let bits = reader.fixed64() else { return nil }
        data.data = .double(Double(bitPattern: bits))
      default:
        return nil
      }
    }
    return data
  }

  private static func rpcHttp(_ bytes: UnsafeRawBufferPointer) -> AzureFunctionsRpcMessages_RpcHttp? {
    var reader = ProtoReader(bytes)
    var http = AzureFunctionsRpcMessages_RpcHttp()
    var headers: [String: String] = [:]
    var params: [String: String] = [:]
    var query: [String: String] = [:]
    var sawBody = false
    while !reader.isAtEnd {
      guard let (field, wire) = reader.tag() else { return nil }
      if field == 16, wire == 0 {
        guard let value = reader.varint() else { return nil }
        http.enableContentNegotiation = value != 0
        continue
      }
      guard wire == 2, let body = reader.delimited() else { return nil }
      switch field {
      case 1, 2, 12:
        guard let text = ProtoReader.string(body) else { return nil }
        if field == 1 { http.method = text } else if field == 2 { http.url = text } else { http.statusCode = text }
      case 3, 10, 15:
        guard let (key, value) = mapEntry(body) else { return nil }
        if field == 3 { headers[key] = value } else if field == 10 { params[key] = value } else { query[key] = value }
      case 4 where !sawBody:
        guard let data = typedData(body) else { return nil }
        http.body = data
        sawBody = true
      default:
        return nil  // cookies, identities, raw body, nullable maps: SwiftProtobuf decodes those
      }
    }
    if !headers.isEmpty { http.headers = headers }
    if !params.isEmpty { http.params = params }
    if !query.isEmpty { http.query = query }
    return http
  }

  /// A `map<string, string>` entry (a missing key or value is the empty string).
  private static func mapEntry(_ bytes: UnsafeRawBufferPointer) -> (String, String)? {
    var reader = ProtoReader(bytes)
    var key = ""
    var value = ""
    while !reader.isAtEnd {
      guard let (field, wire) = reader.tag(), wire == 2, field == 1 || field == 2, let body = reader.delimited(),
        let text = ProtoReader.string(body)
      else { return nil }
      if field == 1 { key = text } else { value = text }
    }
    return (key, value)
  }
}

/// Reads protobuf wire primitives from a buffer; every read returns `nil` past the end or on a malformed
/// varint, and the caller gives up.
struct ProtoReader {
  private let bytes: UnsafeRawBufferPointer
  private var offset = 0

  init(_ bytes: UnsafeRawBufferPointer) {
    self.bytes = bytes
  }

  var isAtEnd: Bool { offset >= bytes.count }

  mutating func varint() -> UInt64? {
    var result: UInt64 = 0
    var shift: UInt64 = 0
    while offset < bytes.count, shift < 64 {
      let byte = bytes[offset]
      offset += 1
      result |= UInt64(byte & 0x7F) << shift
      if byte < 0x80 { return result }
      shift += 7
    }
    return nil
  }

  /// A field number and wire type.
  mutating func tag() -> (Int, Int)? {
    guard let key = varint(), key >> 3 > 0, key >> 3 <= 536_870_911 else { return nil }
    return (Int(key >> 3), Int(key & 7))
  }

  /// A length-delimited field's content.
  mutating func delimited() -> UnsafeRawBufferPointer? {
    guard let length = varint(), length <= UInt64(bytes.count - offset) else { return nil }
    let start = offset
    offset += Int(length)
    return UnsafeRawBufferPointer(rebasing: bytes[start..<offset])
  }

  mutating func fixed64() -> UInt64? {
    guard bytes.count - offset >= 8 else { return nil }
    var value: UInt64 = 0
    for index in 0..<8 { value |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
    offset += 8
    return value
  }

  /// UTF-8 text, or `nil` when it is not valid UTF-8.
  static func string(_ bytes: UnsafeRawBufferPointer) -> String? {
    String(validating: bytes, as: UTF8.self)
  }
}
