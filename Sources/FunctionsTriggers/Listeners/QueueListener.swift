internal import Foundation
internal import FunctionsStorage
internal import Logging
internal import Synchronization

/// Runs one queue's messages through a handler as the stock queue listener does (storage-bindings.md
/// §1.2–1.3): receive in batches, fetch again when in-flight work drops to the threshold, back off
/// with randomized exponential delays when the queue is empty, and wake at once when the store says
/// a message was added to this queue. Each message is leased while its handler runs (the lease is
/// renewed at half its length), deleted on success, released on failure and moved to the poison queue
/// as ``QueuePoisonPolicy`` decides.
struct QueueListener: Sendable {
  /// The handler's verdict on one message.
  typealias Handler = @Sendable (_ message: QueueMessage, _ body: [UInt8]) async -> Bool

  /// The queue to listen to.
  let queue: String
  /// Who this listener is working for, in logs (a function name).
  let label: String
  let options: QueueListenerOptions
  let store: any FunctionsStore
  /// The lease owner recorded on received messages (this host's id).
  let owner: String
  let clock: any Clock<Duration>
  let logger: Logger
  let handler: Handler
  /// Where poisoned messages go (`nil`: `<queue>-poison`).
  var poisonQueue: String? = nil

  private var policy: QueuePoisonPolicy {
    QueuePoisonPolicy(
      queue: queue, maxDequeueCount: options.maxDequeueCount, visibilityTimeout: options.visibilityTimeout,
      poisonQueue: poisonQueue)
  }

  /// Listens until the task is cancelled or `stop` is raised; the messages being handled when `stop`
  /// is raised are finished first (cancellation cancels them too).
  func run(stop: StopSignal) async {
    let wake = Wakeup()
    let inFlight = InFlightCounter()
    let changes = store.changes()
    let registration = stop.register(wake)
    defer { stop.unregister(registration) }
    await withDiscardingTaskGroup { outer in
      outer.addTask {
        for await change in changes {
          if case .messageAdded(let q) = change, q == queue { wake.signal() }
        }
      }
      await withDiscardingTaskGroup { work in
        var backoff = PollingBackoff(maximum: options.maxPollingInterval)
        while !Task.isCancelled && !stop.isRaised {
          let busy = inFlight.value
          if busy > 0 && busy > options.newBatchThreshold {
            await wake.wait()
            continue
          }
          let messages: [QueueMessage]
          do {
            messages = try await store.receiveMessages(
              queue: queue, count: options.batchSize, visibilityTimeout: options.leaseDuration, owner: owner)
          } catch let error as StorageError where error.code == .queueNotFound {
            messages = []
          } catch {
            logger.error("queue '\(queue)' (\(label)): cannot receive messages: \(error)")
            messages = []
          }
          if messages.isEmpty {
            await wake.wait(upTo: backoff.next(), clock: clock)
            continue
          }
          backoff.reset()
          inFlight.add(messages.count)
          for message in messages {
            work.addTask {
              await process(message)
              inFlight.add(-1)
              wake.signal()
            }
          }
        }
      }
      outer.cancelAll()  // only the change subscription is left
    }
  }

  /// Decides, invokes with a renewed lease, and settles one message.
  private func process(_ message: QueueMessage) async {
    let decoded: [UInt8]?
    switch options.messageEncoding {
    case .none: decoded = message.body
    case .base64: decoded = Base64Body.decode(message.body)
    }
    guard let receipt = message.popReceipt else { return }
    switch policy.beforeInvoking(dequeueCount: message.dequeueCount, bodyDecodes: decoded != nil) {
    case .invoke: break
    case .poison(let reason):
      await poison(message, receipt: receipt, reason: reason)
      return
    case .skip(let reason):
      logger.error("queue '\(queue)' message \(message.id) (\(label)): \(reason); it has no poison queue and is left invisible")
      return
    }
    let lease = LeaseRenewal(receipt: receipt)
    let succeeded = await withTaskGroup(of: Bool?.self) { group in
      group.addTask { await handler(message, decoded ?? []) }
      group.addTask {
        await renew(message, lease: lease)
        return nil
      }
      var result = false
      for await value in group {
        if let value {
          result = value
          group.cancelAll()
        }
      }
      return result
    }
    let current = lease.receipt
    switch policy.afterInvoking(succeeded: succeeded, dequeueCount: message.dequeueCount) {
    case .delete:
      await settle("delete") { try await store.deleteMessage(queue: queue, id: message.id, popReceipt: current) }
    case .release(let delay):
      await settle("release") {
        _ = try await store.updateMessage(
          queue: queue, id: message.id, popReceipt: current, visibilityTimeout: delay, body: nil)
      }
    case .poison(let reason):
      await poison(message, receipt: current, reason: reason)
    case .leaveInvisible:
      logger.error("queue '\(queue)' message \(message.id) (\(label)): the function failed; the queue has no poison queue, so the message stays invisible")
    }
  }

  /// Keeps the message invisible while the handler runs: renews at half the lease, until cancelled.
  private func renew(_ message: QueueMessage, lease: LeaseRenewal) async {
    let interval = options.leaseDuration / 2
    while !Task.isCancelled {
      do { try await clock.sleep(for: interval) } catch { return }
      do {
        let update = try await store.updateMessage(
          queue: queue, id: message.id, popReceipt: lease.receipt, visibilityTimeout: options.leaseDuration,
          body: nil)
        lease.receipt = update.popReceipt
      } catch {
        logger.warning("queue '\(queue)' message \(message.id) (\(label)): could not renew its lease: \(error)")
        return
      }
    }
  }

  private func poison(_ message: QueueMessage, receipt: String, reason: String) async {
    guard let poisonQueue = policy.poisonQueue else { return }
    do {
      _ = try await store.moveToPoison(queue: queue, id: message.id, popReceipt: receipt, poisonQueue: poisonQueue)
      logger.warning("queue '\(queue)' message \(message.id) (\(label)): moved to '\(poisonQueue)': \(reason)")
    } catch {
      logger.error("queue '\(queue)' message \(message.id) (\(label)): could not move it to '\(poisonQueue)': \(error)")
    }
  }

  /// Runs a settling store call; a message that changed under us (deleted, receipt moved on) is not an
  /// error worth more than a debug line, as in the stock host.
  private func settle(_ what: String, _ body: () async throws -> Void) async {
    do { try await body() } catch let error as StorageError
      where [.popReceiptMismatch, .messageNotFound, .queueNotFound].contains(error.code)
    {
      logger.debug("queue '\(queue)' (\(label)): \(what) skipped: \(error)")
    } catch {
      logger.error("queue '\(queue)' (\(label)): \(what) failed: \(error)")
    }
  }
}

/// The current pop receipt of a message whose lease is being renewed.
final class LeaseRenewal: Sendable {
  private let current: Mutex<String>
  init(receipt: String) { current = Mutex(receipt) }
  var receipt: String {
    get { current.withLock { $0 } }
    set { current.withLock { $0 = newValue } }
  }
}

/// Base64 message bodies as the stock host reads them.
enum Base64Body {
  /// The decoded bytes, or `nil` when `body` is not base64 (white space is ignored).
  static func decode(_ body: [UInt8]) -> [UInt8]? {
    let filtered = body.filter { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
    guard let data = Data(base64Encoded: Data(filtered)) else { return nil }
    return Array(data)
  }

  /// `bytes` as base64 text.
  static func encode(_ bytes: [UInt8]) -> [UInt8] {
    Array(Data(bytes).base64EncodedString().utf8)
  }
}

/// Messages being handled now.
final class InFlightCounter: Sendable {
  private let count = Mutex(0)
  var value: Int { count.withLock { $0 } }
  func add(_ n: Int) { count.withLock { $0 += n } }
}
