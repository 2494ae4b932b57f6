/// What the queue listener does with a message, decided as the stock host decides (storage-bindings.md
/// §1.3). A pure value, so every rule is unit-tested without a store or a worker.
struct QueuePoisonPolicy: Sendable, Hashable {
  /// What to do with a received message before invoking.
  enum BeforeInvoking: Sendable, Hashable {
    /// Run the function.
    case invoke
    /// Move it to the poison queue without running the function, for this reason.
    case poison(reason: String)
    /// Leave it alone (it stays invisible until its lease runs out): no poison queue can take it.
    case skip(reason: String)
  }

  /// What to do with a message after the function ran.
  enum AfterInvoking: Sendable, Hashable {
    /// It succeeded: delete the message.
    case delete
    /// It failed: make the message visible again after this delay.
    case release(after: Duration)
    /// It failed for the last allowed time: move it to the poison queue.
    case poison(reason: String)
    /// It failed and there is no poison queue: leave it invisible (stock: "to prevent a fast infinite loop").
    case leaveInvisible
  }

  /// `maxDequeueCount` (attempts before poison).
  var maxDequeueCount: Int
  /// `visibilityTimeout`: the delay before a failed message is visible again.
  var visibilityTimeout: Duration
  /// The poison queue, or `nil` when the queue has none (its name ends in `-poison`, or the suffix
  /// would make the name longer than 63 characters).
  var poisonQueue: String?

  /// The policy for `queue`; its poison queue is `poisonQueue` when given, else `<queue>-poison`.
  init(queue: String, maxDequeueCount: Int, visibilityTimeout: Duration, poisonQueue: String? = nil) {
    self.maxDequeueCount = maxDequeueCount
    self.visibilityTimeout = visibilityTimeout
    self.poisonQueue = poisonQueue ?? Self.poisonQueueName(for: queue)
  }

  /// `<queue>-poison`, or `nil` when stock would have none.
  static func poisonQueueName(for queue: String) -> String? {
    if queue.hasSuffix("-poison") { return nil }
    let name = queue + "-poison"
    return name.count <= 63 ? name : nil
  }

  /// Before invoking: a message received more often than allowed, or whose body does not decode
  /// under the queue's `messageEncoding`, goes to the poison queue at once.
  func beforeInvoking(dequeueCount: Int, bodyDecodes: Bool) -> BeforeInvoking {
    let reason: String
    if !bodyDecodes {
      reason = "its body is not valid base64 (messageEncoding is base64; send it base64-encoded, e.g. with "
        + "the Python SDK's TextBase64EncodePolicy, or set extensions.queues.messageEncoding to none)"
    } else if dequeueCount > maxDequeueCount {
      reason = "it was dequeued \(dequeueCount) times (maxDequeueCount \(maxDequeueCount))"
    } else {
      return .invoke
    }
    return poisonQueue == nil ? .skip(reason: reason) : .poison(reason: reason)
  }

  /// After invoking.
  func afterInvoking(succeeded: Bool, dequeueCount: Int) -> AfterInvoking {
    if succeeded { return .delete }
    guard poisonQueue != nil else { return .leaveInvisible }
    if dequeueCount >= maxDequeueCount {
      return .poison(reason: "the function failed \(dequeueCount) times (maxDequeueCount \(maxDequeueCount))")
    }
    return .release(after: visibilityTimeout)
  }
}
