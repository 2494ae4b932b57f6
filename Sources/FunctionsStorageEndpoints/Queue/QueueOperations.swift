internal import Foundation
internal import FunctionsStorage
internal import Hummingbird

/// The Queue service: queues and messages, served from the store.
///
/// | request | operation |
/// |---|---|
/// | `GET /acct?comp=list` | List Queues |
/// | `PUT/DELETE /acct/q` | Create / Delete Queue |
/// | `GET/HEAD/PUT /acct/q?comp=metadata` | Get / Set Queue Metadata |
/// | `POST/GET/DELETE /acct/q/messages` | Put / Get (or peek) / Clear Messages |
/// | `PUT/DELETE /acct/q/messages/id?popreceipt=…` | Update / Delete Message |
struct QueueOperations: StorageOperations {
  let store: any FunctionsStore
  let maxBodySize: Int

  /// Queues are never public.
  var allowsSharedKeyLite: Bool { true }

  func allowsAnonymous(_ request: StorageRequest) async throws -> Bool { false }

  func respond(to request: StorageRequest) async throws -> Response {
    let target = request.target
    guard let queue = target.resource else {
      return try await accountLevel(request)
    }
    switch target.subpath {
    case nil:
      return try await queueLevel(request, queue: queue)
    case "messages":
      return try await messages(request, queue: queue)
    case let subpath? where subpath.hasPrefix("messages/"):
      let id = String(subpath.dropFirst("messages/".count))
      guard !id.isEmpty, !id.contains("/") else { throw Self.notFound }
      return try await message(request, queue: queue, id: id)
    default:
      throw Self.notFound
    }
  }

  // MARK: Account

  private func accountLevel(_ request: StorageRequest) async throws -> Response {
    switch (request.method, request.comp) {
    case (.get, "list"):
      return try await listQueues(request)
    case (_, let comp?):
      throw StorageError.unsupported("\(request.method.rawValue) with comp=\(comp) on the queue service")
    default:
      throw Self.unsupportedVerb(request)
    }
  }

  private func listQueues(_ request: StorageRequest) async throws -> Response {
    let prefix = request.target.query("prefix").flatMap { $0.isEmpty ? nil : $0 }
    let marker = request.target.query("marker").flatMap { $0.isEmpty ? nil : $0 }
    let maxResults = try request.integerQuery("maxresults", default: 5000, range: 1...5000)!
    let include = Set((request.target.query("include") ?? "").split(separator: ",").map { $0.lowercased() })
    let page = try await store.listQueues(prefix: prefix, marker: marker, maxResults: maxResults)
    let xml = QueueXML.queueList(
      page, serviceEndpoint: serviceEndpoint(request), prefix: prefix, marker: marker, maxResults: maxResults,
      includeMetadata: include.contains("metadata"))
    return .xml(.ok, xml)
  }

  // MARK: Queue

  private func queueLevel(_ request: StorageRequest, queue: String) async throws -> Response {
    switch (request.method, request.comp) {
    case (.put, nil):
      switch try await store.createQueue(queue, metadata: request.headers.metadata) {
      case .created: return .empty(.created)
      case .alreadyExists: return .empty(.noContent)
      }
    case (.delete, nil):
      try await store.deleteQueue(queue)
      return .empty(.noContent)
    case (.get, "metadata"), (.head, "metadata"):
      guard let info = try await store.queueInfo(queue) else {
        throw StorageError(code: .queueNotFound, message: "The specified queue does not exist.")
      }
      var headers = HTTPFields()
      headers[.xMsApproximateMessagesCount] = String(info.approximateMessageCount)
      headers.setMetadata(info.metadata)
      headers[.cacheControl] = "no-cache"
      return Response(status: .ok, headers: headers)
    case (.put, "metadata"):
      try await store.setQueueMetadata(queue, metadata: request.headers.metadata)
      return .empty(.noContent)
    case (_, let comp?):
      throw StorageError.unsupported("\(request.method.rawValue) with comp=\(comp) on a queue")
    default:
      throw Self.unsupportedVerb(request)
    }
  }

  // MARK: Messages

  private func messages(_ request: StorageRequest, queue: String) async throws -> Response {
    switch request.method {
    case .post:
      let text = try QueueXML.messageText(from: try await request.collectBody(upTo: maxBodySize))
      let visibility = try request.integerQuery("visibilitytimeout", default: 0, range: 0...Self.sevenDays)!
      let ttl = try request.integerQuery("messagettl", default: Self.sevenDays, range: -1...Int(Int32.max))!
      guard ttl != 0 else {
        throw StorageError.endpoint(
          .outOfRangeQueryParameterValue,
          "One of the query parameters specified in the request URI is outside the permissible range: messagettl=0.")
      }
      if ttl != -1, visibility >= ttl {
        throw StorageError.endpoint(
          .outOfRangeQueryParameterValue,
          "visibilitytimeout (\(visibility)) must be smaller than messagettl (\(ttl)).")
      }
      let message = try await store.putMessage(
        queue: queue, body: text, visibilityDelay: .seconds(visibility),
        timeToLive: ttl == -1 ? nil : .seconds(ttl))
      return .xml(.created, QueueXML.messagesList([message], includeBody: false, includeReceipt: true))
    case .get, .head:
      let count = try request.integerQuery("numofmessages", default: 1, range: 1...32)!
      if request.target.query("peekonly")?.lowercased() == "true" {
        let messages = try await store.peekMessages(queue: queue, count: count)
        return .xml(.ok, QueueXML.messagesList(messages, includeBody: true, includeReceipt: false))
      }
      let visibility = try request.integerQuery("visibilitytimeout", default: 30, range: 1...Self.sevenDays)!
      let messages = try await store.receiveMessages(
        queue: queue, count: count, visibilityTimeout: .seconds(visibility), owner: nil)
      return .xml(.ok, QueueXML.messagesList(messages, includeBody: true, includeReceipt: true))
    case .delete:
      try await store.clearMessages(queue: queue)
      return .empty(.noContent)
    default:
      throw Self.unsupportedVerb(request)
    }
  }

  private func message(_ request: StorageRequest, queue: String, id: String) async throws -> Response {
    switch request.method {
    case .put:
      let popReceipt = try request.requiredQuery("popreceipt")
      guard let visibility = try request.integerQuery("visibilitytimeout", default: nil, range: 0...Self.sevenDays)
      else {
        throw StorageError.endpoint(
          .missingRequiredQueryParameter,
          "A query parameter that's mandatory for this request is not specified: visibilitytimeout.")
      }
      let bytes = try await request.collectBody(upTo: maxBodySize)
      let body = bytes.isEmpty ? nil : try QueueXML.messageText(from: bytes)
      let update = try await store.updateMessage(
        queue: queue, id: id, popReceipt: popReceipt, visibilityTimeout: .seconds(visibility), body: body)
      var headers = HTTPFields()
      headers[.xMsPopReceipt] = update.popReceipt
      headers[.xMsTimeNextVisible] = HTTPDate.format(update.nextVisibleTime)
      return Response(status: .noContent, headers: headers)
    case .delete:
      let popReceipt = try request.requiredQuery("popreceipt")
      try await store.deleteMessage(queue: queue, id: id, popReceipt: popReceipt)
      return .empty(.noContent)
    default:
      throw Self.unsupportedVerb(request)
    }
  }

  // MARK: Helpers

  private static let sevenDays = 7 * 24 * 3600

  private static let notFound = StorageError.endpoint(
    .resourceNotFound, "The specified resource does not exist.")

  private static func unsupportedVerb(_ request: StorageRequest) -> StorageError {
    StorageError.endpoint(
      .unsupportedHTTPVerb, "The resource doesn't support the specified HTTP verb \(request.method.rawValue).")
  }

  private func serviceEndpoint(_ request: StorageRequest) -> String {
    "http://\(request.authority ?? "127.0.0.1")/\(request.target.account)/"
  }
}
