import NIOCore
import Synchronization

extension EventLoopFuture where Value == Void {
  /// Waits for the future like `get()`, but gives up (returning false) when the waiting task is
  /// cancelled, as at a test's time limit: `get()` ignores cancellation, so a test awaiting a future that
  /// never completes would hang past its limit.
  func completedUnlessCancelled() async -> Bool {
    let once = Mutex<CheckedContinuation<Bool, Never>?>(nil)
    return await withTaskCancellationHandler {
      await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
        once.withLock { $0 = continuation }
        if Task.isCancelled { once.withLock { $0.take() }?.resume(returning: false) }
        whenComplete { _ in once.withLock { $0.take() }?.resume(returning: true) }
      }
    } onCancel: {
      once.withLock { $0.take() }?.resume(returning: false)
    }
  }
}
