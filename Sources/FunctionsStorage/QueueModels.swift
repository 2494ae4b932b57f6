public import Foundation

/// A queue as listed or inspected.
public struct QueueInfo: Sendable, Hashable {
  /// The queue name (lower case, 3–63 characters).
  public var name: String
  /// User metadata (`x-ms-meta-*`), names as given.
  public var metadata: [String: String]
  /// Messages in the queue, visible or not, that have not expired (Azure's approximate count).
  public var approximateMessageCount: Int

  /// Creates queue information.
  public init(name: String, metadata: [String: String] = [:], approximateMessageCount: Int = 0) {
    self.name = name
    self.metadata = metadata
    self.approximateMessageCount = approximateMessageCount
  }
}

/// What `createQueue` / `createContainer` found.
public enum CreateOutcome: Sendable, Hashable {
  /// Created now (Azure: 201).
  case created
  /// It existed already with the same metadata (Azure: 204 for queues, 409 for containers).
  case alreadyExists
}

/// One queue message, as stored and as handed out by receive and peek.
public struct QueueMessage: Sendable, Hashable {
  /// The message id (a lower-case UUID).
  public var id: String
  /// The queue it is in.
  public var queue: String
  /// The body exactly as the client sent it in `MessageText` (the store never encodes or decodes base64).
  public var body: [UInt8]
  /// When it was put.
  public var insertionTime: Date
  /// When it expires (`Date.distantFuture` for a message that never expires: messagettl -1).
  public var expirationTime: Date
  /// When it becomes visible again (receive and update move it).
  public var nextVisibleTime: Date
  /// How many times it was received.
  public var dequeueCount: Int
  /// The current pop receipt (put and receive hand one out, as Azure does); `nil` from peek.
  public var popReceipt: String?

  /// Creates a message value.
  public init(
    id: String, queue: String, body: [UInt8], insertionTime: Date, expirationTime: Date,
    nextVisibleTime: Date, dequeueCount: Int, popReceipt: String?
  ) {
    self.id = id
    self.queue = queue
    self.body = body
    self.insertionTime = insertionTime
    self.expirationTime = expirationTime
    self.nextVisibleTime = nextVisibleTime
    self.dequeueCount = dequeueCount
    self.popReceipt = popReceipt
  }
}

/// What `updateMessage` returns: the new receipt and visibility.
public struct MessageUpdate: Sendable, Hashable {
  /// The new pop receipt (the old one no longer works).
  public var popReceipt: String
  /// When the message becomes visible.
  public var nextVisibleTime: Date

  /// Creates an update result.
  public init(popReceipt: String, nextVisibleTime: Date) {
    self.popReceipt = popReceipt
    self.nextVisibleTime = nextVisibleTime
  }
}

/// One page of a listing, with the marker for the next page (`NextMarker`), if any.
public struct Page<Item: Sendable>: Sendable {
  /// The items of this page, in name order.
  public var items: [Item]
  /// Where the next page starts; `nil` on the last page.
  public var nextMarker: String?

  /// Creates a page.
  public init(items: [Item], nextMarker: String?) {
    self.items = items
    self.nextMarker = nextMarker
  }
}
