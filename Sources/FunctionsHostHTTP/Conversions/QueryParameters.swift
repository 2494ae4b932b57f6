/// A request's query string, decoded and grouped the way ASP.NET Core's `IQueryCollection`
/// presents it to the Azure Functions host.
///
/// Keys compare case-insensitively (the first spelling seen is kept); `+` decodes to a space;
/// repeated keys keep every value in order.
struct QueryParameters: Sendable {
  /// Keys in first-seen order with their values (possibly empty strings).
  private(set) var entries: [(key: String, values: [String])] = []

  /// Parses `query` (the part after `?`, without `#`), or nothing when `nil`.
  init(parsing query: Substring?) {
    guard let query, !query.isEmpty else { return }
    var index: [String: Int] = [:]
    for pair in query.split(onASCII: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
      let key: String
      let value: String
      if let eq = pair.firstIndex(ofASCII: UInt8(ascii: "=")) {
        key = QueryParameters.decode(pair[..<eq])
        value = QueryParameters.decode(pair[pair.utf8.index(after: eq)...])
      } else {
        key = QueryParameters.decode(pair)
        value = ""
      }
      guard !key.isEmpty else { continue }
      let folded = key.lowercasedKey
      if let i = index[folded] {
        entries[i].values.append(value)
      } else {
        index[folded] = entries.count
        entries.append((key, [value]))
      }
    }
  }

  /// Whether there are no parameters.
  var isEmpty: Bool { entries.isEmpty }

  /// The values of one key joined as .NET's `StringValues.ToString()` does: non-empty values
  /// separated by `,` (no space).
  static func joined(_ values: [String]) -> String {
    if values.count == 1 { return values[0] }
    return values.filter { !$0.isEmpty }.joined(separator: ",")
  }

  /// `RpcHttp.query`: every key with its joined values, keys whose joined value is empty left out.
  var rpcQuery: [String: String] {
    var result: [String: String] = [:]
    result.reserveCapacity(entries.count)
    for (key, values) in entries {
      let value = QueryParameters.joined(values)
      if !value.isEmpty { result[key] = value }
    }
    return result
  }

  /// Decodes `+` and `%XX` (as UTF-8) in a query component.
  static func decode(_ component: Substring) -> String {
    let hasPlus = component.utf8.contains(UInt8(ascii: "+"))
    let hasPercent = component.utf8.contains(UInt8(ascii: "%"))
    if !hasPlus && !hasPercent { return String(component) }
    let spaced = hasPlus ? Substring(component.replacing("+", with: " ")) : component
    return hasPercent ? RequestPath.percentDecode(spaced) : String(spaced)
  }
}
