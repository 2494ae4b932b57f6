public import Foundation

/// A plain value going into or coming out of a function: text, bytes or JSON.
///
/// ```swift
/// let order = try FunctionValue(json: Order(id: "42", items: []))   // JSON via Codable
/// let result = try await application.invoke("store_order", trigger: order)
/// let receipt = try result.outputs["receipt"]?.decode(Receipt.self)
/// ```
public enum FunctionValue: Sendable, Hashable {
  /// A string (`TypedData.string`).
  case text(String)
  /// Bytes (`TypedData.bytes`).
  case bytes([UInt8])
  /// JSON text (`TypedData.json`).
  case json(String)

  /// A JSON value encoded from `value`.
  ///
  /// - Throws: what `encoder` throws.
  public init(json value: some Encodable, encoder: JSONEncoder = JSONEncoder()) throws {
    self = .json(String(decoding: try encoder.encode(value), as: UTF8.self))
  }

  /// The value as text: the string, the JSON text, or the bytes as UTF-8 (`nil` when they are not).
  public var text: String? {
    switch self {
    case .text(let text), .json(let text): text
    case .bytes(let bytes): String(validating: bytes, as: UTF8.self)
    }
  }

  /// The value as bytes: the bytes, or the text as UTF-8.
  public var bytes: [UInt8] {
    switch self {
    case .text(let text), .json(let text): Array(text.utf8)
    case .bytes(let bytes): bytes
    }
  }

  /// Decodes the value (whatever its kind) as JSON.
  ///
  /// - Throws: what `decoder` throws.
  public func decode<T: Decodable>(_ type: T.Type, decoder: JSONDecoder = JSONDecoder()) throws -> T {
    try decoder.decode(type, from: Data(bytes))
  }
}

extension FunctionValue: ExpressibleByStringLiteral {
  /// A text value.
  public init(stringLiteral value: String) { self = .text(value) }
}

extension FunctionValue: CustomStringConvertible {
  /// The text, or `<n bytes>`.
  public var description: String {
    switch self {
    case .text(let text), .json(let text): text
    case .bytes(let bytes): String(validating: bytes, as: UTF8.self) ?? "<\(bytes.count) bytes>"
    }
  }
}
