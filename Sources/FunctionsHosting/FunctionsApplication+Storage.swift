internal import Foundation
internal import FunctionsHostCore
public import FunctionsStorage

extension FunctionsApplication {
  /// How a queue message body is stored.
  public enum QueueMessageEncoding: Sendable, Hashable {
    /// Base64 of the bytes, as Azure SDKs send by default and queue triggers expect
    /// (host.json `extensions.queues.messageEncoding` `base64`, the default).
    case base64
    /// The bytes as they are (`messageEncoding` `none`).
    case none
  }

  /// The store the triggers and bindings use, once the application is ready.
  public var store: any FunctionsStore {
    get async throws { try await readyParts().store }
  }

  /// Puts a message on a queue (created if missing), where queue-triggered functions pick it up.
  ///
  /// ```swift
  /// try await application.sendQueueMessage(try FunctionValue(json: order), to: "orders")
  /// ```
  ///
  /// - Returns: the stored message.
  @discardableResult
  public func sendQueueMessage(
    _ message: FunctionValue, to queue: String, encoding: QueueMessageEncoding = .base64
  ) async throws -> QueueMessage {
    let store = try await readyParts().store
    let body = encoding == .base64 ? Array(Data(message.bytes).base64EncodedString().utf8) : message.bytes
    do {
      return try await store.putMessage(queue: queue, body: body)
    } catch let error as StorageError where error.code == .queueNotFound {
      _ = try await store.createQueue(queue, metadata: [:])
      return try await store.putMessage(queue: queue, body: body)
    }
  }

  /// Writes a block blob (its container is created if missing); blob-triggered functions see it.
  @discardableResult
  public func putBlob(_ content: FunctionValue, container: String, name: String) async throws -> BlobProperties {
    let store = try await readyParts().store
    do {
      return try await store.putBlob(container: container, name: name, bytes: content.bytes)
    } catch let error as StorageError where error.code == .containerNotFound {
      do { _ = try await store.createContainer(container, metadata: [:], publicAccess: nil) } catch let e as StorageError
        where e.code == .containerAlreadyExists
      {}
      return try await store.putBlob(container: container, name: name, bytes: content.bytes)
    }
  }

  /// Reads a whole blob; `nil` when it (or its container) does not exist.
  public func blob(container: String, name: String) async throws -> [UInt8]? {
    let store = try await readyParts().store
    do {
      return try await store.readBlob(container: container, name: name, range: nil, conditions: .none).collect()
    } catch let error as StorageError where [.blobNotFound, .containerNotFound].contains(error.code) {
      return nil
    }
  }
}
