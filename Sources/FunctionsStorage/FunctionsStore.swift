public import Foundation

/// The host's durable storage: queues, blobs, blob-trigger receipts, timer schedule status and
/// leases, behind one interface that the Azure-compatible endpoints, the triggers and the bindings
/// all use. ``SQLiteStore`` is the embedded implementation; a PostgreSQL one (several hosts on one
/// database) implements the same protocol and passes the same shared test suite.
///
/// Every mutating call is durable when it returns: a message or blob the caller was told is stored
/// survives kill -9 of the process. Names are validated as Azure validates them
/// (``StorageError/Code/invalidResourceName``); errors carry Azure's error codes.
///
/// ```swift
/// let store = try SQLiteStore(path: "/var/lib/app/store.sqlite")
/// _ = try await store.createQueue("orders", metadata: [:])
/// let put = try await store.putMessage(queue: "orders", body: Array("hello".utf8))
/// let got = try await store.receiveMessages(queue: "orders", count: 1, visibilityTimeout: .seconds(30), owner: nil)
/// try await store.deleteMessage(queue: "orders", id: got[0].id, popReceipt: got[0].popReceipt!)
/// ```
public protocol FunctionsStore: Sendable {
  // MARK: Queues

  /// Creates a queue. An existing queue with the same metadata is `.alreadyExists`; with other
  /// metadata it is ``StorageError/Code/queueAlreadyExists``.
  func createQueue(_ name: String, metadata: [String: String]) async throws -> CreateOutcome
  /// Deletes a queue and its messages (``StorageError/Code/queueNotFound`` when missing).
  func deleteQueue(_ name: String) async throws
  /// The queue's metadata and approximate message count, or `nil` when it does not exist.
  func queueInfo(_ name: String) async throws -> QueueInfo?
  /// Replaces the queue's metadata.
  func setQueueMetadata(_ name: String, metadata: [String: String]) async throws
  /// Queues whose names start with `prefix`, in name order, from `marker` (exclusive of earlier names),
  /// at most `maxResults` (1…5000).
  func listQueues(prefix: String?, marker: String?, maxResults: Int) async throws -> Page<QueueInfo>

  /// Puts a message (body at most 64 KiB), visible after `visibilityDelay`, expiring after `timeToLive`
  /// (`nil`: never; Azure's default is 7 days and is the caller's to apply). The queue must exist.
  /// Emits ``StoreChange/messageAdded(queue:)``.
  func putMessage(queue: String, body: [UInt8], visibilityDelay: Duration, timeToLive: Duration?) async throws
    -> QueueMessage
  /// Receives up to `count` (1…32) visible, unexpired messages, oldest first: each becomes invisible for
  /// `visibilityTimeout`, its dequeue count goes up by one and it gets a new pop receipt.
  /// `owner` records who holds the lease (a host id; `nil` for REST clients) so that
  /// ``releaseLeases(owner:)`` can give them back after a crash.
  func receiveMessages(queue: String, count: Int, visibilityTimeout: Duration, owner: String?) async throws
    -> [QueueMessage]
  /// Up to `count` (1…32) visible, unexpired messages, oldest first, without changing them (no pop receipt).
  func peekMessages(queue: String, count: Int) async throws -> [QueueMessage]
  /// Makes a received message visible after `visibilityTimeout` and optionally replaces its body.
  /// Fails with ``StorageError/Code/popReceiptMismatch`` or ``StorageError/Code/messageNotFound``.
  /// A zero timeout emits ``StoreChange/messageAdded(queue:)``.
  func updateMessage(
    queue: String, id: String, popReceipt: String, visibilityTimeout: Duration, body: [UInt8]?
  ) async throws -> MessageUpdate
  /// Deletes a received message (pop receipt checked as for ``updateMessage(queue:id:popReceipt:visibilityTimeout:body:)``).
  func deleteMessage(queue: String, id: String, popReceipt: String) async throws
  /// Deletes every message of the queue.
  func clearMessages(queue: String) async throws
  /// Moves a received message to `poisonQueue` in one transaction (creating that queue if needed):
  /// the copy has the original body, a fresh id and dequeue count 0; the original is deleted.
  func moveToPoison(queue: String, id: String, popReceipt: String, poisonQueue: String) async throws -> QueueMessage
  /// Makes every message whose lease is held by `owner` visible now (used at start for a previous
  /// instance of this host that died holding leases). Returns how many were released.
  func releaseLeases(owner: String) async throws -> Int
  /// The age of the oldest visible message, or `nil` when none is visible (for metrics).
  func oldestVisibleMessageAge(queue: String) async throws -> Duration?

  // MARK: Containers

  /// Creates a container (``StorageError/Code/containerAlreadyExists`` when it exists).
  func createContainer(_ name: String, metadata: [String: String], publicAccess: String?) async throws
    -> ContainerInfo
  /// Deletes a container and every blob in it.
  func deleteContainer(_ name: String) async throws
  /// The container, or `nil` when it does not exist.
  func containerInfo(_ name: String) async throws -> ContainerInfo?
  /// Replaces the container's metadata.
  func setContainerMetadata(_ name: String, metadata: [String: String]) async throws -> ContainerInfo
  /// Containers whose names start with `prefix`, in name order, paged as ``listQueues(prefix:marker:maxResults:)``.
  func listContainers(prefix: String?, marker: String?, maxResults: Int) async throws -> Page<ContainerInfo>

  // MARK: Blobs

  /// Writes a block blob from `content`, streamed chunk by chunk into the store (never held whole),
  /// replacing any existing blob atomically once all content is stored. `conditions` are checked
  /// against the existing blob (If-None-Match `*` fails with ``StorageError/Code/blobAlreadyExists``).
  /// The container must exist. Emits ``StoreChange/blobWritten(container:name:)``.
  func putBlob(
    container: String, name: String, content: some AsyncSequence<[UInt8], any Error> & Sendable,
    headers: BlobHTTPHeaders, metadata: [String: String], conditions: BlobConditions
  ) async throws -> BlobProperties
  /// Stores an uncommitted block (Put Block) for a later ``commitBlockList(container:name:blockIDs:headers:metadata:conditions:)``.
  /// `blockID` is the base64 id as sent. Blocks are streamed as blobs are.
  func putBlock(
    container: String, name: String, blockID: String, content: some AsyncSequence<[UInt8], any Error> & Sendable
  ) async throws
  /// Commits the named blocks, in order, as the blob's content (Put Block List); uncommitted blocks not
  /// named are discarded. Emits ``StoreChange/blobWritten(container:name:)``.
  func commitBlockList(
    container: String, name: String, blockIDs: [String], headers: BlobHTTPHeaders, metadata: [String: String],
    conditions: BlobConditions
  ) async throws -> BlobProperties
  /// The blob's properties, or `nil` when it does not exist (the container must exist).
  func blobProperties(container: String, name: String) async throws -> BlobProperties?
  /// Opens the blob for reading, optionally a range (``StorageError/Code/invalidRange`` when it starts past
  /// the end; a range ending past the end is cut), after checking `conditions`.
  func readBlob(container: String, name: String, range: ByteRange?, conditions: BlobConditions) async throws
    -> BlobDownload
  /// Replaces the blob's metadata (new ETag; not a content change).
  func setBlobMetadata(container: String, name: String, metadata: [String: String], conditions: BlobConditions)
    async throws -> BlobProperties
  /// Replaces the blob's HTTP properties (new ETag; not a content change).
  func setBlobHTTPHeaders(container: String, name: String, headers: BlobHTTPHeaders, conditions: BlobConditions)
    async throws -> BlobProperties
  /// Deletes a blob.
  func deleteBlob(container: String, name: String, conditions: BlobConditions) async throws
  /// Blobs whose names start with `prefix`, in name order, paged as ``listQueues(prefix:marker:maxResults:)``.
  func listBlobs(container: String, prefix: String?, marker: String?, maxResults: Int) async throws
    -> Page<BlobProperties>

  // MARK: Blob-trigger receipts

  /// In one transaction: if no receipt exists for `receipt`, records it and puts `message` on `queue`
  /// (creating the queue if needed) and returns `true`; otherwise changes nothing and returns `false`.
  /// This is how each blob version triggers a function once, even across hosts.
  func enqueueIfNoReceipt(_ receipt: BlobReceiptKey, queue: String, message: [UInt8]) async throws -> Bool
  /// Deletes a receipt, so that the blob version triggers again.
  func deleteReceipt(_ receipt: BlobReceiptKey) async throws
  /// Whether a receipt exists.
  func hasReceipt(_ receipt: BlobReceiptKey) async throws -> Bool

  // MARK: Timers and leases

  /// The stored schedule status of a timer, or `nil` when none was written.
  func scheduleStatus(timer: String) async throws -> ScheduleStatus?
  /// Writes a timer's schedule status.
  func setScheduleStatus(_ status: ScheduleStatus, timer: String) async throws
  /// Takes or renews the named lease for `owner` until now + `duration` when it is free, expired or
  /// already `owner`'s; returns whether `owner` holds it now.
  func acquireLease(_ name: String, owner: String, duration: Duration) async throws -> Bool
  /// Gives the lease up if `owner` holds it.
  func releaseLease(_ name: String, owner: String) async throws

  // MARK: Host documents

  /// The named host document, or `nil` when none was written.
  func hostDocument(_ name: String) async throws -> HostDocument?
  /// Writes the named document if its stored version is still `expectedVersion` (`nil`: only if
  /// there is none yet) and announces ``StoreChange/documentWritten(name:)``; returns the document
  /// as stored, or `nil` when another writer got there first (read it again and retry).
  func putHostDocument(_ name: String, content: [UInt8], expectedVersion: Int64?) async throws -> HostDocument?

  // MARK: Changes

  /// Changes made through this store from now on (and, for shared stores, by other hosts), for
  /// listeners that wake at once instead of waiting for their next poll. Each call is a new
  /// subscription; it ends when the store closes. Slow subscribers lose old changes (buffered newest).
  func changes() -> AsyncStream<StoreChange>
}
