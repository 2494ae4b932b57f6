internal import Foundation
internal import FunctionsHostCore
internal import Hummingbird
internal import Logging

/// Key management under `/admin`, with the stock host's paths and shapes:
///
/// | request | effect |
/// |---|---|
/// | `GET /admin/host/keys` | `{"keys":[{"name","value"}]}`: the host keys |
/// | `GET /admin/host/keys/<name>` | `{"name","value"}`; `_master` is the master key |
/// | `PUT /admin/host/keys/<name>` with `{"value": "…"}` | sets it (201 new, 200 replaced); no value: a new random one |
/// | `POST /admin/host/keys/<name>` | a new random value (rotation) |
/// | `DELETE /admin/host/keys/<name>` | 204; the master key cannot be deleted |
/// | `…/admin/functions/<function>/keys[/<name>]` | the same for one function's keys |
///
/// Changes are written through the front door's ``FunctionKeysStore`` (which shares them with
/// every host on the same store) and then enforced here at once.
enum AdminKeyEndpoints {
  /// The master key's name in `/admin/host/keys/<name>`.
  static let masterName = "_master"
  /// The largest request body accepted.
  static let maxBody = 16 * 1024

  /// Whose keys a request is about.
  enum Scope: Equatable {
    case host
    case function(String)
  }

  /// What a request asks for.
  enum Action: Equatable {
    case list(Scope)
    case get(Scope, name: String)
    case set(Scope, name: String)
    case rotate(Scope, name: String)
    case delete(Scope, name: String)
  }

  /// The action a path names (`nil`: not a key path), or the error to answer with.
  static func action(method: HTTPRequest.Method, path: Substring) -> Result<Action, FrontDoorError>? {
    let parts = path.split(separator: "/", omittingEmptySubsequences: true).map { $0.removingPercentEncoding ?? String($0) }
    let scope: Scope
    let rest: ArraySlice<String>
    if parts.count >= 3, parts[0].lowercased() == "admin", parts[1].lowercased() == "host", parts[2].lowercased() == "keys" {
      scope = .host
      rest = parts[3...]
    } else if parts.count >= 4, parts[0].lowercased() == "admin", parts[1].lowercased() == "functions",
      parts[3].lowercased() == "keys"
    {
      scope = .function(parts[2])
      rest = parts[4...]
    } else {
      return nil
    }
    switch (rest.count, method) {
    case (0, .get), (0, .head): return .success(.list(scope))
    case (0, _): return .failure(notAllowed(method, path, "GET, HEAD"))
    case (1, _):
      let name = rest.first!
      guard isValidName(name) else {
        return .failure(badRequest("key name '\(name)' must be 1 to 64 letters, digits, '-', '_' or '.'"))
      }
      if case .function = scope, name == masterName {
        return .failure(badRequest("'\(masterName)' is the master key: manage it under /admin/host/keys/\(masterName)"))
      }
      switch method {
      case .get, .head: return .success(.get(scope, name: name))
      case .put: return .success(.set(scope, name: name))
      case .post: return .success(.rotate(scope, name: name))
      case .delete:
        if name == masterName { return .failure(badRequest("the master key cannot be deleted; rotate it with POST")) }
        return .success(.delete(scope, name: name))
      default: return .failure(notAllowed(method, path, "GET, HEAD, PUT, POST, DELETE"))
      }
    default:
      return .failure(FrontDoorError(status: .notFound, code: "routeNotFound", message: "no admin endpoint \(path)"))
    }
  }

  /// Answers a key request, or `nil` when `path` is not one.
  static func response(
    to request: Request, path: Substring, keys checker: KeyChecker, functions: [FunctionMetadata], logger: Logger
  ) async -> Response? {
    guard let parsed = action(method: request.method, path: path) else { return nil }
    let action: Action
    switch parsed {
    case .failure(let error): return error.response
    case .success(let found): action = found
    }
    guard let current = checker.current else {
      return FrontDoorError(
        status: .notFound, code: "keysNotEnforced",
        message: "keys are not enforced by this host (started with --no-auth), so there are none to manage"
      ).response
    }
    if case .function(let name) = action.scope, !functions.contains(where: { $0.name == name }) {
      return FrontDoorError(status: .notFound, code: "functionNotFound", message: "no function named '\(name)'")
        .response
    }
    switch action {
    case .list(let scope):
      let items = current.keys(in: scope).sorted { $0.key < $1.key }.map { keyJSON(name: $0.key, value: $0.value) }
      return json(.ok, "{\"keys\":[" + items.joined(separator: ",") + "]}")
    case .get(let scope, let name):
      guard let value = current.key(name, in: scope) else { return missing(name, scope) }
      return json(.ok, keyJSON(name: name, value: value))
    case .delete(let scope, let name):
      guard current.key(name, in: scope) != nil else { return missing(name, scope) }
      return await write(checker, logger: logger, success: Response(status: .noContent)) { $0.setKey(name, nil, in: scope) }
    case .set(let scope, let name), .rotate(let scope, let name):
      var value = FunctionKeys.randomKey()
      if case .set = action {
        switch await requestedValue(request) {
        case .failure(let error): return error.response
        case .success(let given?): value = given
        case .success(nil): break
        }
      }
      let status: HTTPResponse.Status = current.key(name, in: scope) == nil ? .created : .ok
      let chosen = value
      return await write(checker, logger: logger, success: json(status, keyJSON(name: name, value: chosen))) {
        $0.setKey(name, chosen, in: scope)
      }
    }
  }

  /// Writes through the key store, enforces the result, and answers `success`.
  private static func write(
    _ checker: KeyChecker, logger: Logger, success: Response, _ change: @escaping @Sendable (inout FunctionKeys) -> Void
  ) async -> Response {
    guard let store = checker.store else {
      return FrontDoorError(
        status: .notImplemented, code: "keysNotManaged",
        message: "this host's keys were given to it and cannot be changed through /admin; change them where they come from"
      ).response
    }
    do {
      let updated = try await store.update(change)
      checker.update(updated)
      logger.info("function keys changed through /admin")
      return success
    } catch {
      logger.error("cannot write the function keys: \(error)")
      return FrontDoorError(
        status: .serviceUnavailable, code: "keysNotWritten",
        message: "the keys could not be written (\(error)); nothing changed").response
    }
  }

  /// The `value` of a PUT body (`nil`: none given, generate one).
  private static func requestedValue(_ request: Request) async -> Result<String?, FrontDoorError> {
    let body: ByteBuffer
    do { body = try await request.body.collect(upTo: maxBody) } catch {
      return .failure(FrontDoorError(status: .contentTooLarge, code: "contentTooLarge", message: "a key request body is at most \(maxBody) bytes"))
    }
    guard body.readableBytes > 0 else { return .success(nil) }
    guard let root = try? JSONValue.parse(Data(body.readableBytesView)), let object = root.objectValue else {
      return .failure(badRequest("the body must be a JSON object such as {\"name\": \"default\", \"value\": \"…\"}"))
    }
    guard let value = object["value"], value != .null else { return .success(nil) }
    guard let text = value.stringValue, isValidValue(text) else {
      return .failure(badRequest("field 'value' must be a string of 16 to 256 characters without spaces or control characters"))
    }
    return .success(text)
  }

  static func isValidName(_ name: String) -> Bool {
    (1...64).contains(name.utf8.count)
      && name.utf8.allSatisfy { $0.isASCIILetterOrDigit || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
  }

  static func isValidValue(_ value: String) -> Bool {
    (16...256).contains(value.utf8.count) && value.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
  }

  private static func keyJSON(name: String, value: String) -> String {
    "{\"name\":\(JSONValue.quote(name)),\"value\":\(JSONValue.quote(value))}"
  }

  private static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
    Response(
      status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
      body: .init(byteBuffer: ByteBuffer(string: body)))
  }

  private static func missing(_ name: String, _ scope: Scope) -> Response {
    let owner = if case .function(let function) = scope { "function '\(function)'" } else { "the host" }
    return FrontDoorError(status: .notFound, code: "keyNotFound", message: "\(owner) has no key named '\(name)'").response
  }

  private static func badRequest(_ message: String) -> FrontDoorError {
    FrontDoorError(status: .badRequest, code: "invalidKeyRequest", message: message)
  }

  private static func notAllowed(_ method: HTTPRequest.Method, _ path: Substring, _ allow: String) -> FrontDoorError {
    FrontDoorError(
      status: .methodNotAllowed, code: "methodNotAllowed",
      message: "method \(method.rawValue) is not allowed for \(path); allowed: \(allow)", headers: [.allow: allow])
  }
}

extension AdminKeyEndpoints.Action {
  var scope: AdminKeyEndpoints.Scope {
    switch self {
    case .list(let scope), .get(let scope, _), .set(let scope, _), .rotate(let scope, _), .delete(let scope, _): scope
    }
  }
}

extension FunctionKeys {
  /// The keys of a scope (host keys do not include the master key).
  func keys(in scope: AdminKeyEndpoints.Scope) -> [String: String] {
    switch scope {
    case .host: hostKeys
    case .function(let name): functionKeys[name] ?? [:]
    }
  }

  /// One key; `_master` in the host scope is the master key.
  func key(_ name: String, in scope: AdminKeyEndpoints.Scope) -> String? {
    if scope == .host, name == AdminKeyEndpoints.masterName { return masterKey }
    return keys(in: scope)[name]
  }

  /// Sets (or, with `nil`, removes) one key.
  mutating func setKey(_ name: String, _ value: String?, in scope: AdminKeyEndpoints.Scope) {
    switch scope {
    case .host where name == AdminKeyEndpoints.masterName:
      if let value { masterKey = value }
    case .host:
      hostKeys[name] = value
    case .function(let function):
      functionKeys[function, default: [:]][name] = value
    }
  }
}

extension UInt8 {
  fileprivate var isASCIILetterOrDigit: Bool {
    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
      || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
  }
}
