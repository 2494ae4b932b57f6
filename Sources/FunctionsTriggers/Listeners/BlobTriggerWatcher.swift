internal import Foundation
internal import FunctionsStorage
internal import Logging

/// Finds the new and changed blobs of one blob-triggered function and queues each version (ETag) once,
/// through a receipt in the store: at start it scans the container, then it reacts to every blob written
/// through the store at once (the endpoints, output bindings, other hosts on a shared store). The
/// queued message is run by the blob-trigger queue's listener (see ``BlobTriggerMessage``), so retries
/// and poison handling are the queue's.
struct BlobTriggerWatcher: Sendable {
  let functionName: String
  let pattern: BlobPathPattern
  let store: any FunctionsStore
  let logger: Logger

  private var functionID: String { BlobTriggerMessage.functionID(of: functionName) }

  /// The pattern's leading literal text, to list only blobs that can match.
  private var literalPrefix: String? {
    guard case .literal(let scalars)? = pattern.segments.first else { return nil }
    var text = ""
    text.unicodeScalars.append(contentsOf: scalars)
    return text
  }

  /// Runs until `stop` is raised or the task is cancelled.
  func run(stop: StopSignal) async {
    let changes = store.changes()  // subscribed before the scan, so nothing written meanwhile is missed
    let wake = Wakeup()
    let registration = stop.register(wake)
    defer { stop.unregister(registration) }
    await scan()
    await withTaskGroup(of: Void.self) { group in
      group.addTask {
        for await change in changes {
          guard case .blobWritten(let container, let name) = change,
            pattern.match(container: container, blobName: name) != nil
          else { continue }
          await consider(name: name)
        }
      }
      group.addTask {
        while !stop.isRaised && !Task.isCancelled { await wake.wait() }
      }
      _ = await group.next()
      group.cancelAll()
    }
  }

  /// Lists the container and queues every matching blob version without a receipt.
  private func scan() async {
    var marker: String? = nil
    repeat {
      do {
        let page = try await store.listBlobs(
          container: pattern.container, prefix: literalPrefix, marker: marker, maxResults: 1000)
        for blob in page.items where pattern.match(container: blob.container, blobName: blob.name) != nil {
          await enqueue(blob)
        }
        marker = page.nextMarker
      } catch let error as StorageError where error.code == .containerNotFound {
        return  // nothing to scan yet; writes will come as changes
      } catch {
        logger.error("blob trigger \(functionName): cannot list container '\(pattern.container)': \(error)")
        return
      }
    } while marker != nil
  }

  private func consider(name: String) async {
    do {
      guard let properties = try await store.blobProperties(container: pattern.container, name: name) else { return }
      await enqueue(properties)
    } catch {
      logger.error("blob trigger \(functionName): cannot read '\(pattern.container)/\(name)': \(error)")
    }
  }

  private func enqueue(_ blob: BlobProperties) async {
    let receipt = BlobReceiptKey(
      functionID: functionID, container: blob.container, blobName: blob.name, etag: blob.etag)
    let message = BlobTriggerMessage(
      functionID: functionID, containerName: blob.container, blobName: blob.name, etag: blob.etag)
    do {
      if try await store.enqueueIfNoReceipt(receipt, queue: BlobTriggerMessage.queue, message: message.encoded()) {
        logger.debug("blob trigger \(functionName): queued '\(blob.container)/\(blob.name)' (ETag \(blob.etag))")
      }
    } catch {
      logger.error("blob trigger \(functionName): cannot queue '\(blob.container)/\(blob.name)': \(error)")
    }
  }
}
