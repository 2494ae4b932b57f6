internal import FunctionsRPC
internal import SwiftProtobuf

/// `Set-Cookie` header values for the cookies of an RpcHttp response.
enum SetCookie {
  /// `name=value; Expires=…; Max-Age=…; Domain=…; Path=…; Secure; SameSite=…; HttpOnly`.
  ///
  /// Attribute order and defaults follow ASP.NET Core's `SetCookieHeaderValue`, which the stock
  /// host uses: the path defaults to `/`; `SameSite` is written for `Lax`, `Strict` and
  /// `ExplicitNone` (as `None`) and omitted for the unspecified `None`; `Max-Age` is whole
  /// seconds. Characters that may not appear in a cookie value (controls, space, `"`, `,`,
  /// `;`, `\`, non-ASCII) are percent-encoded; other text is kept as written.
  static func headerValue(_ cookie: AzureFunctionsRpcMessages_RpcHttpCookie) -> String {
    var out = cookie.name + "=" + encodeValue(cookie.value)
    if cookie.hasExpires, case .value(let ts)? = cookie.expires.timestamp {
      out += "; Expires=" + imfFixdate(secondsSince1970: ts.seconds)
    }
    if cookie.hasMaxAge, case .value(let seconds)? = cookie.maxAge.double, seconds.isFinite {
      out += "; Max-Age=\(Int64(seconds.rounded(.towardZero)))"
    }
    if cookie.hasDomain, case .value(let domain)? = cookie.domain.string, !domain.isEmpty {
      out += "; Domain=" + domain
    }
    if cookie.hasPath, case .value(let path)? = cookie.path.string, !path.isEmpty {
      out += "; Path=" + path
    } else {
      out += "; Path=/"
    }
    if cookie.hasSecure, case .value(true)? = cookie.secure.bool { out += "; Secure" }
    switch cookie.sameSite {
    case .lax: out += "; SameSite=Lax"
    case .strict: out += "; SameSite=Strict"
    case .explicitNone: out += "; SameSite=None"
    case .none, .UNRECOGNIZED: break
    }
    if cookie.hasHTTPOnly, case .value(true)? = cookie.httpOnly.bool { out += "; HttpOnly" }
    return out
  }

  /// Percent-encodes the bytes RFC 6265 forbids in a cookie value.
  static func encodeValue(_ value: String) -> String {
    func allowed(_ b: UInt8) -> Bool {
      b == 0x21 || (b >= 0x23 && b <= 0x2B) || (b >= 0x2D && b <= 0x3A) || (b >= 0x3C && b <= 0x5B)
        || (b >= 0x5D && b <= 0x7E)
    }
    if value.utf8.allSatisfy(allowed) { return value }
    let hex: [Character] = Array("0123456789ABCDEF")
    var out = ""
    for b in value.utf8 {
      if allowed(b) {
        out.unicodeScalars.append(Unicode.Scalar(b))
      } else {
        out.append("%")
        out.append(hex[Int(b >> 4)])
        out.append(hex[Int(b & 0xF)])
      }
    }
    return out
  }

  /// An IMF-fixdate (RFC 9110 §5.6.7), e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
  static func imfFixdate(secondsSince1970 t: Int64) -> String {
    let days = t >= 0 ? t / 86_400 : (t - 86_399) / 86_400
    let secondsOfDay = t - days * 86_400
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let day = doy - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    let weekday = Int(((days % 7) + 11) % 7)  // 1970-01-01 was a Thursday
    let names = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    let months = [
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
    var yearText = "\(year)"
    while yearText.count < 4 { yearText = "0" + yearText }
    return "\(names[weekday]), \(two(day)) \(months[Int(month - 1)]) \(yearText) "
      + "\(two(secondsOfDay / 3600)):\(two(secondsOfDay / 60 % 60)):\(two(secondsOfDay % 60)) GMT"
  }
}
