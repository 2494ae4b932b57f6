internal import Hummingbird

/// The SharedKey and SharedKeyLite strings-to-sign of a request (Blob and Queue services, version
/// 2009-09-19 and later), built exactly as the Azure SDKs build them.
///
/// ```
/// VERB\nContent-Encoding\nContent-Language\nContent-Length\nContent-MD5\nContent-Type\nDate\n
/// If-Modified-Since\nIf-Match\nIf-None-Match\nIf-Unmodified-Since\nRange\n
/// x-ms-date:…\nx-ms-version:…\n                      (canonicalized x-ms-* headers)
/// /devstoreaccount1/devstoreaccount1/queue\ncomp:metadata   (canonicalized resource)
/// ```
///
/// The canonicalized resource is `/` + account + the URL path *as sent* (percent-encoded); with
/// path-style URLs that path already starts with the account, hence the emulator's doubled
/// `/devstoreaccount1/devstoreaccount1/…`.
struct CanonicalRequest: Sendable {
  /// How the `x-ms-*` headers are ordered in the string-to-sign.
  enum HeaderOrder: Sendable, CaseIterable {
    /// The service's order, as the Python SDK emulates it: hyphens ignored at first, then
    /// punctuation before digits before letters; ties broken on where the hyphens are.
    case service
    /// Plain byte order of the lower-cased names (what the REST documentation describes).
    case ordinal
  }

  /// The request method, e.g. `GET`.
  var method: String
  /// The request headers.
  var headers: HTTPFields
  /// The URL path as received, without the query.
  var rawPath: Substring
  /// The query parameters: names lower-cased, values decoded.
  var query: [(name: String, value: String)]

  /// Creates a canonical request.
  init(method: String, headers: HTTPFields, rawPath: Substring, query: [(name: String, value: String)]) {
    self.method = method
    self.headers = headers
    self.rawPath = rawPath
    self.query = query
  }

  /// The SharedKey string-to-sign for `account`.
  func sharedKeyStringToSign(account: String, order: HeaderOrder, path: Substring? = nil) -> String {
    var lines = [method]
    for name in Self.signedStandardHeaders {
      var value = header(name)
      if name == "content-length", value == "0" { value = "" }
      lines.append(value)
    }
    var result = lines.joined(separator: "\n") + "\n"
    result += canonicalizedHeaders(order: order)
    result += "/" + account + (path ?? rawPath)
    for (name, values) in groupedQuery() {
      result += "\n" + name + ":" + values.joined(separator: ",")
    }
    return result
  }

  /// The SharedKeyLite string-to-sign for `account` (only `comp` is kept from the query).
  func sharedKeyLiteStringToSign(account: String, order: HeaderOrder, path: Substring? = nil) -> String {
    var result = [method, header("content-md5"), header("content-type"), header("date")].joined(separator: "\n")
    result += "\n" + canonicalizedHeaders(order: order)
    result += "/" + account + (path ?? rawPath)
    if let comp = query.first(where: { $0.name == "comp" }) { result += "?comp=" + comp.value }
    return result
  }

  /// Whether the two header orders give the same string (then only one signature needs checking).
  var headerOrdersAgree: Bool {
    let names = msHeaders().map(\.name)
    return names.sorted(by: Self.serviceOrder) == names.sorted()
  }

  private static let signedStandardHeaders = [
    "content-encoding", "content-language", "content-length", "content-md5", "content-type", "date",
    "if-modified-since", "if-match", "if-none-match", "if-unmodified-since", "range",
  ]

  private func header(_ name: String) -> String {
    guard let fieldName = HTTPField.Name(name) else { return "" }
    return headers[fieldName] ?? ""
  }

  /// `x-ms-*` headers: lower-cased names, repeated headers joined with `,`.
  private func msHeaders() -> [(name: String, value: String)] {
    var grouped: [String: [String]] = [:]
    var order: [String] = []
    for field in headers {
      let name = field.name.canonicalName
      guard name.hasPrefix("x-ms-") else { continue }
      if grouped[name] == nil { order.append(name) }
      grouped[name, default: []].append(field.value)
    }
    return order.map { ($0, grouped[$0]!.joined(separator: ",")) }
  }

  private func canonicalizedHeaders(order: HeaderOrder) -> String {
    var entries = msHeaders()
    switch order {
    case .service: entries.sort { Self.serviceOrder($0.name, $1.name) }
    case .ordinal: entries.sort { $0.name < $1.name }
    }
    return entries.map { "\($0.name):\($0.value)\n" }.joined()
  }

  /// Query parameters grouped by (lower-cased) name, names sorted, each name's values sorted.
  private func groupedQuery() -> [(String, [String])] {
    var grouped: [String: [String]] = [:]
    for (name, value) in query { grouped[name, default: []].append(value) }
    return grouped.keys.sorted().map { ($0, grouped[$0]!.sorted()) }
  }

  // MARK: The service's header order

  /// First-level weight: 0 for characters ignored at that level (`-` and `'`), then punctuation
  /// below digits below letters, letters case-insensitive.
  private static func primaryWeight(_ byte: UInt8) -> Int {
    switch byte {
    case UInt8(ascii: "-"), UInt8(ascii: "'"): 0
    case UInt8(ascii: "0")...UInt8(ascii: "9"): 0x2000 + Int(byte)
    case UInt8(ascii: "a")...UInt8(ascii: "z"): 0x3000 + Int(byte)
    case UInt8(ascii: "A")...UInt8(ascii: "Z"): 0x3000 + Int(byte) + 0x20
    default: 0x1000 + Int(byte)
    }
  }

  /// Whether `lhs` sorts before `rhs` in the service's order.
  static func serviceOrder(_ lhs: String, _ rhs: String) -> Bool {
    let a = Array(lhs.utf8)
    let b = Array(rhs.utf8)
    // Level 1: compare ignoring hyphens and apostrophes.
    var i = 0
    var j = 0
    while true {
      while i < a.count, primaryWeight(a[i]) == 0 { i += 1 }
      while j < b.count, primaryWeight(b[j]) == 0 { j += 1 }
      if i == a.count || j == b.count {
        if i == a.count && j == b.count { break }
        return i == a.count
      }
      let (wa, wb) = (primaryWeight(a[i]), primaryWeight(b[j]))
      if wa != wb { return wa < wb }
      i += 1
      j += 1
    }
    // Level 2: equal but for hyphens/apostrophes: the name whose first difference in them comes
    // later sorts first.
    for k in 0..<max(a.count, b.count) {
      let x = k < a.count ? a[k] : 0
      let y = k < b.count ? b[k] : 0
      if x == y { continue }
      let xIgnored = x == UInt8(ascii: "-") || x == UInt8(ascii: "'")
      let yIgnored = y == UInt8(ascii: "-") || y == UInt8(ascii: "'")
      if xIgnored != yIgnored { return yIgnored }
      return x < y
    }
    return false
  }
}
