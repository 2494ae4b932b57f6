/// Control requests waiting for their reply, by what the reply is matched with.
struct ReplyTable {
  /// What a control reply is matched by.
  enum Key: Hashable {
    case initialize
    case metadata
    case load(functionID: String)
    case status(requestID: String)
  }

  private var waiting: [Key: Promise<StreamingMessage>] = [:]

  /// Registers a request; false when one with the same key is already waiting.
  mutating func register(_ key: Key, _ promise: Promise<StreamingMessage>) -> Bool {
    guard waiting[key] == nil else { return false }
    waiting[key] = promise
    return true
  }

  /// Removes the request of `key` if it is `promise`.
  mutating func remove(_ key: Key, ifIs promise: Promise<StreamingMessage>) {
    if waiting[key] === promise { waiting[key] = nil }
  }

  /// Takes the request waiting for `key`.
  mutating func take(_ key: Key) -> Promise<StreamingMessage>? { waiting.removeValue(forKey: key) }

  /// Takes every request.
  mutating func removeAll() -> [Promise<StreamingMessage>] {
    defer { waiting = [:] }
    return Array(waiting.values)
  }
}
