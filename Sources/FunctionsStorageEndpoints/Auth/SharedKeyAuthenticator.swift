internal import Foundation
internal import Hummingbird

/// Checks `Authorization: SharedKey account:signature` (and `SharedKeyLite`) against the account
/// key, in constant time.
///
/// A request signs its string-to-sign (``CanonicalRequest``) with HMAC-SHA256 under the
/// base64-decoded account key. The authenticator accepts the signature when it matches the string
/// built with the service's header order or with plain byte order (they differ only for unusual
/// `x-ms-*` names), and with the account path doubled (`/acct/acct/…`, what the SDKs sign against
/// path-style URLs) or single (`/acct/…`, what some older emulator clients sign).
struct SharedKeyAuthenticator: Sendable {
  /// The result of checking one request.
  enum Outcome: Sendable, Equatable {
    /// A valid signature of this account.
    case authenticated
    /// No `Authorization` header: allowed only for public reads (the service decides).
    case anonymous
    /// A missing, malformed or wrong signature; `reason` is for debug logs only, never for the client.
    case rejected(reason: String)
  }

  private let account: String
  private let key: [UInt8]

  /// Creates an authenticator.
  ///
  /// - Returns: `nil` when `base64Key` is not base64.
  init?(account: String, base64Key: String) {
    guard let key = Data(base64Encoded: base64Key), !key.isEmpty else { return nil }
    self.account = account
    self.key = Array(key)
  }

  /// Checks one request.
  func authenticate(
    method: String, headers: HTTPFields, target: RequestTarget, allowsLite: Bool
  ) -> Outcome {
    guard let authorization = headers[.authorization] else { return .anonymous }
    let parts = authorization.split(separator: " ", maxSplits: 1)
    guard parts.count == 2 else { return .rejected(reason: "malformed Authorization header") }
    let scheme = parts[0]
    guard scheme == "SharedKey" || (allowsLite && scheme == "SharedKeyLite") else {
      return .rejected(reason: "unsupported authorization scheme '\(scheme)'")
    }
    let credential = parts[1].trimmingCharacters(in: .whitespaces)
    guard let colon = credential.lastIndex(of: ":") else {
      return .rejected(reason: "malformed Authorization header")
    }
    let claimedAccount = credential[..<colon]
    guard claimedAccount == account else {
      return .rejected(reason: "signature for account '\(claimedAccount)', not '\(account)'")
    }
    guard let signature = Data(base64Encoded: String(credential[credential.index(after: colon)...])) else {
      return .rejected(reason: "signature is not base64")
    }
    let request = CanonicalRequest(
      method: method, headers: headers, rawPath: target.rawPath, query: target.query)
    let orders: [CanonicalRequest.HeaderOrder] = request.headerOrdersAgree ? [.service] : [.service, .ordinal]
    var paths: [Substring] = [target.rawPath]
    // Some emulator clients sign `/acct/<resource>` against `/acct/<resource>` URLs (no doubling).
    let accountPrefix = "/" + account
    if target.rawPath.hasPrefix(accountPrefix + "/") || target.rawPath == accountPrefix {
      paths.append(target.rawPath.dropFirst(accountPrefix.count))
    }
    var matched = false
    for order in orders {
      for path in paths {
        let stringToSign =
          scheme == "SharedKey"
          ? request.sharedKeyStringToSign(account: account, order: order, path: path)
          : request.sharedKeyLiteStringToSign(account: account, order: order, path: path)
        let expected = HMACSHA256.authenticationCode(for: stringToSign.utf8, key: key)
        // Every candidate is computed and compared, so timing does not depend on which matched.
        matched = HMACSHA256.constantTimeEquals(expected, signature) || matched
      }
    }
    if matched { return .authenticated }
    let stringToSign =
      scheme == "SharedKey"
      ? request.sharedKeyStringToSign(account: account, order: .service)
      : request.sharedKeyLiteStringToSign(account: account, order: .service)
    return .rejected(reason: "signature mismatch; expected string-to-sign: \(stringToSign.debugDescription)")
  }

  /// The signature of `stringToSign` under the key, base64 (for tests and tools).
  func signature(of stringToSign: String) -> String {
    Data(HMACSHA256.authenticationCode(for: stringToSign.utf8, key: key)).base64EncodedString()
  }
}
