internal import Hummingbird

/// Where a request carries its function key, and how to keep it out of logs.
enum RequestKey {
  /// `x-functions-key`.
  static let headerName = HTTPField.Name("x-functions-key")!

  /// The key of a request: the `x-functions-key` header, else the `code` query parameter
  /// (its first occurrence, key compared ignoring ASCII case, `%XX` and `+` decoded).
  ///
  /// No allocation in the usual case: the header value is the stored string and an unescaped
  /// `code` value is a slice of the request target.
  static func key(of head: HTTPRequest) -> Substring? {
    if let header = head.headerFields[headerName], !header.isEmpty { return Substring(header) }
    guard let target = head.path, let value = queryValue(named: "code", in: target) else {
      return nil
    }
    if value.utf8.contains(UInt8(ascii: "%")) || value.utf8.contains(UInt8(ascii: "+")) {
      return Substring(QueryParameters.decode(value))
    }
    return value
  }

  /// The raw (still escaped) value of the first query parameter `name` in a request target.
  ///
  /// Scans the target in place (no array of pairs): the result is a slice of `target`.
  static func queryValue(named name: String, in target: String) -> Substring? {
    let bytes = target.utf8
    guard
      let question = bytes.firstIndex(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }
      ),
      bytes[question] == UInt8(ascii: "?")
    else { return nil }
    let end = bytes[question...].firstIndex(of: UInt8(ascii: "#")) ?? bytes.endIndex
    var start = bytes.index(after: question)
    while start < end {
      let pairEnd = bytes[start ..< end].firstIndex(of: UInt8(ascii: "&")) ?? end
      if let equals = bytes[start ..< pairEnd].firstIndex(of: UInt8(ascii: "=")) {
        let key = target[start ..< equals]
        if key.asciiCaseInsensitiveEquals(name)
          || (key.utf8.contains(UInt8(ascii: "%"))
            && QueryParameters.decode(key).asciiCaseInsensitiveEquals(name))
        {
          return target[bytes.index(after: equals) ..< pairEnd]
        }
      }
      start = pairEnd == end ? end : bytes.index(after: pairEnd)
    }
    return nil
  }

  /// The request target with the value of every `code` query parameter replaced by
  /// `REDACTED`, for anything that logs a URL.
  static func redacted(_ target: some StringProtocol) -> String {
    let target = String(target)
    guard let question = target.firstIndex(where: { $0 == "?" || $0 == "#" }),
      target[question] == "?"
    else { return target }
    var query = target[target.index(after: question)...]
    var fragment: Substring = ""
    if let hash = query.firstIndex(of: "#") {
      fragment = query[hash...]
      query = query[..<hash]
    }
    let pairs = query.split(separator: "&", omittingEmptySubsequences: false).map { pair in
      guard let equals = pair.firstIndex(of: "="),
        QueryParameters.decode(pair[..<equals]).asciiCaseInsensitiveEquals("code")
      else { return String(pair) }
      return "\(pair[..<equals])=REDACTED"
    }
    return "\(target[...question])\(pairs.joined(separator: "&"))\(fragment)"
  }
}
