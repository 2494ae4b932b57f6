internal import Synchronization

/// Channels by worker id, registered before their process starts so that a StartStream can be matched.
package final class WorkerRegistry: Sendable {
  private let channels = Mutex<[String: WorkerChannel]>([:])

  package init() {}

  package func register(_ channel: WorkerChannel) {
    channels.withLock { $0[channel.workerID] = channel }
  }

  package func remove(_ channel: WorkerChannel) {
    channels.withLock { if $0[channel.workerID] === channel { $0[channel.workerID] = nil } }
  }

  package func channel(for workerID: String) -> WorkerChannel? {
    channels.withLock { $0[workerID] }
  }
}
