internal import Foundation
internal import FunctionsHostCore
internal import FunctionsRPC
internal import Hummingbird

/// The HTTP trigger's binding data (`InvocationRequest.trigger_metadata`), as the stock host
/// builds it for a worker with `RpcHttpTriggerMetadataRemoved` (protocol.md §2.6 and the
/// WebJobs HTTP extension's `GetRequestBindingDataAsync`).
///
/// Applied in the stock order, later sources overwriting earlier ones (keys compare
/// case-insensitively, the first spelling is kept):
/// 1. top-level properties of a body that looks like a JSON object (`{…}`, whatever the
///    content type): strings, numbers and booleans as `string` (numbers and booleans in their
///    JSON spelling), objects and arrays as `json`; `null` values are left out;
/// 2. every query parameter except `code`, as `string` (repeats comma-joined);
/// 3. every route value, as `string`;
/// 4. `Query` (the query as a JSON object) and `Headers` (the `RpcHttp` headers as a JSON
///    object), each as `json`, unless a key of that name already exists.
enum HTTPTriggerMetadata {
  static func make(
    query: QueryParameters,
    params: [String: String],
    headers: [String: String],
    body: Data
  ) -> [String: AzureFunctionsRpcMessages_TypedData] {
    var merged = CaseInsensitiveMap()
    if let properties = jsonObjectProperties(body) {
      for (key, value) in properties.sorted(by: { $0.key < $1.key }) {
        switch value {
        case .null: continue
        case .string(let s): merged[key] = .string(s)
        case .object, .array: merged[key] = .json(value.jsonText)
        case .bool, .number: merged[key] = .string(value.jsonText)
        }
      }
    }
    var queryObject: [(String, String)] = []
    queryObject.reserveCapacity(query.entries.count)
    for (key, values) in query.entries {
      let joined = QueryParameters.joined(values)
      queryObject.append((key, joined))
      if !key.asciiCaseInsensitiveEquals("code") { merged[key] = .string(joined) }
    }
    for (key, value) in params { merged[key] = .string(value) }
    if merged["Query"] == nil { merged["Query"] = .json(jsonObject(queryObject)) }
    if merged["Headers"] == nil {
      merged["Headers"] = .json(jsonObject(headers.lazy.map { ($0.key, $0.value) }))
    }
    return merged.typedData
  }

  /// The top-level properties when `body` is a JSON object, else `nil`.
  static func jsonObjectProperties(_ body: Data) -> [String: JSONValue]? {
    guard !body.isEmpty else { return nil }
    let looksLikeObject = body.withUnsafeBytes { raw -> Bool in
      guard let first = raw.firstIndex(where: { !isJSONSpace($0) }),
        let last = raw.lastIndex(where: { !isJSONSpace($0) })
      else { return false }
      return raw[first] == UInt8(ascii: "{") && raw[last] == UInt8(ascii: "}")
    }
    guard looksLikeObject else { return nil }
    return (try? JSONValue.parse(body))?.objectValue
  }

  /// `{"k":"v",…}` for string pairs, in the given order.
  static func jsonObject(_ pairs: some Sequence<(String, String)>) -> String {
    var out = "{"
    out.reserveCapacity(256)
    var first = true
    for (key, value) in pairs {
      if !first { out += "," }
      first = false
      JSONValue.appendQuoted(key, to: &out)
      out += ":"
      JSONValue.appendQuoted(value, to: &out)
    }
    out += "}"
    return out
  }

  private static func isJSONSpace(_ b: UInt8) -> Bool {
    b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D
  }
}

/// A string-keyed map whose keys compare case-insensitively and keep their first spelling.
private struct CaseInsensitiveMap {
  private var storage:
    [String: (key: String, value: AzureFunctionsRpcMessages_TypedData.OneOf_Data)] = [:]

  subscript(key: String) -> AzureFunctionsRpcMessages_TypedData.OneOf_Data? {
    get { storage[key.lowercasedKey]?.value }
    set {
      let folded = key.lowercasedKey
      guard let newValue else {
        storage[folded] = nil
        return
      }
      storage[folded] = (storage[folded]?.key ?? key, newValue)
    }
  }

  var typedData: [String: AzureFunctionsRpcMessages_TypedData] {
    var result: [String: AzureFunctionsRpcMessages_TypedData] = [:]
    result.reserveCapacity(storage.count)
    for (_, entry) in storage {
      var data = AzureFunctionsRpcMessages_TypedData()
      data.data = entry.value
      result[entry.key] = data
    }
    return result
  }
}
