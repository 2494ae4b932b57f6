internal import Foundation
internal import FunctionsRPC
internal import Hummingbird

extension AzureFunctionsRpcMessages_RpcHttp {
  /// The RpcHttp the stock Azure Functions host sends to a Python worker (protocol.md §2.6),
  /// for a worker advertising `RawHttpBodyBytes` and `RpcHttpBodyOnly`.
  ///
  /// - `url` is `scheme://host/path?query` (`defaultAuthority` stands in for a missing `Host`).
  /// - `headers` are lower-cased and comma-joined, `query` is decoded with empty values dropped,
  ///   `params` are the route values.
  /// - `body` is `TypedData.bytes` holding the whole body (sharing its storage, not a copy); it is
  ///   left unset when the body is empty (the stock host sends none when there is no content),
  ///   which Python reads as `b''`.
  /// - `identities` stay empty; `rawBody` is not sent.
  init(
    request head: HTTPRequest,
    headers: [String: String],
    query: QueryParameters,
    params: [String: String],
    body: Data,
    defaultAuthority: String
  ) {
    self.init()
    method = head.method.rawValue
    url = "\(head.scheme ?? "http")://\(head.authority ?? defaultAuthority)\(head.path ?? "/")"
    self.headers = headers
    self.query = query.rpcQuery
    self.params = params
    if !body.isEmpty {
      var data = AzureFunctionsRpcMessages_TypedData()
      data.data = .bytes(body)
      self.body = data
    }
  }
}
