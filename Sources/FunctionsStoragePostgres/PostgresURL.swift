internal import Foundation

/// A parsed `postgres://user[:password]@host[:port]/database[?sslmode=…]` URL.
///
/// ```swift
/// let url = try PostgresURL("postgres://functions:secret@db.internal:5432/functions?sslmode=require")
/// // url.host == "db.internal", url.port == 5432, url.database == "functions"
/// ```
public struct PostgresURL: Sendable, Hashable, CustomStringConvertible {
  /// How the connection uses TLS (libpq's `sslmode` names).
  public enum TLSMode: String, Sendable, Hashable {
    /// No TLS.
    case disable
    /// TLS when the server offers it, without verifying its certificate (libpq's default).
    case prefer
    /// TLS required, certificate not verified.
    case require
    /// TLS required, certificate and host name verified.
    case verifyFull = "verify-full"
  }

  /// The user name.
  public var user: String
  /// The password, if the URL has one.
  public var password: String?
  /// The server's host name or address.
  public var host: String
  /// The server's port (default 5432).
  public var port: Int
  /// The database name.
  public var database: String
  /// The TLS mode (`?sslmode=`, default ``TLSMode/prefer``).
  public var tls: TLSMode

  /// Parses `text`, throwing ``PostgresStoreError`` naming what is wrong.
  public init(_ text: String) throws(PostgresStoreError) {
    func fail(_ problem: String) -> PostgresStoreError {
      PostgresStoreError(
        "invalid PostgreSQL URL '\(PostgresURL.redacting(text))': \(problem) "
          + "(expected postgres://user[:password]@host[:port]/database)")
    }
    guard let components = URLComponents(string: text) else { throw fail("it is not a URL") }
    guard let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme.lowercased()) else {
      throw fail("the scheme must be postgres:// or postgresql://")
    }
    guard let user = components.user, !user.isEmpty else { throw fail("the user name is missing") }
    guard let host = components.host, !host.isEmpty else { throw fail("the host is missing") }
    if let port = components.port, !(1...65535).contains(port) { throw fail("the port \(port) is out of range") }
    var database = components.path
    if database.hasPrefix("/") { database.removeFirst() }
    guard !database.isEmpty else { throw fail("the database name is missing") }
    guard !database.contains("/") else { throw fail("the database name '\(database)' contains '/'") }
    var tls = TLSMode.prefer
    for item in components.queryItems ?? [] {
      switch item.name {
      case "sslmode":
        guard let mode = TLSMode(rawValue: item.value ?? "") else {
          throw fail("sslmode must be disable, prefer, require or verify-full; got '\(item.value ?? "")'")
        }
        tls = mode
      default:
        throw fail("unknown parameter '\(item.name)' (only sslmode is supported)")
      }
    }
    self.user = components.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? user
    self.password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
    self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    self.port = components.port ?? 5432
    self.database = database.removingPercentEncoding ?? database
    self.tls = tls
  }

  /// The URL without its password, for messages and logs.
  public var description: String {
    "postgres://\(user)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)"
  }

  /// `text` with any password replaced by `***`.
  package static func redacting(_ text: String) -> String {
    guard let at = text.lastIndex(of: "@"), let scheme = text.range(of: "://"), scheme.upperBound < at,
      let colon = text[scheme.upperBound..<at].firstIndex(of: ":")
    else { return text }
    return String(text[..<text.index(after: colon)]) + "***" + String(text[at...])
  }
}

/// An error starting a ``PostgresStore``: a malformed URL, an unreachable server, a refused login or
/// a failed schema migration. The message names the host, port and database concerned and carries
/// the server's own message.
public struct PostgresStoreError: Error, Sendable, CustomStringConvertible {
  /// What went wrong, for people.
  public var message: String

  /// Creates an error.
  public init(_ message: String) {
    self.message = message
  }

  /// The message.
  public var description: String { message }
}
