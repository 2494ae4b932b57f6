public import Foundation
public import FunctionsHostCore
public import FunctionsStorage
public import Logging
public import ServiceLifecycle
internal import Synchronization

/// The queue, blob and timer triggers of an app, served from a ``FunctionsStore``: a `Service` that waits
/// for the host's workers, starts one listener per triggered function (and one for the blob-trigger queue),
/// restarts them when a hot reload changes the app, and on graceful shutdown stops taking new messages and
/// lets the invocations in flight finish. List it after the host and before the HTTP front door in a
/// `ServiceGroup`, so that it stops before the host's workers do.
///
/// ```swift
/// let bindings = BindingDispatcher(host: host, store: store, logger: logger)
/// let triggers = StorageTriggers(host: host, bindings: bindings, store: store,
///                                configuration: .init(hostID: "web-1"), logger: logger)
/// try await ServiceGroup(services: [host, triggers, frontDoor], gracefulShutdownSignals: [.sigterm],
///                        logger: logger).run()
/// ```
public struct StorageTriggers: Service {
  /// How the triggers run.
  public struct Configuration: Sendable {
    /// This host's id: the owner of the queue leases it takes (released at its next start).
    public var hostID: String
    /// The blob endpoint clients use (asked once per app version), for the `Uri` trigger metadata.
    public var blobEndpoint: @Sendable () async -> String = { "http://127.0.0.1:10000/devstoreaccount1" }
    /// Cores, for the stock `newBatchThreshold` default.
    public var processorCount: Int = ProcessInfo.processInfo.activeProcessorCount
    /// The time zone of timer schedules (stock: UTC, or `WEBSITE_TIME_ZONE`).
    public var timeZone: TimeZone = TimeZone(identifier: "UTC")!
    /// The clock listeners sleep on (tests may drive their own).
    public var clock: any Clock<Duration> = ContinuousClock()
    /// The wall clock for trigger metadata and timer schedules.
    public var now: @Sendable () -> Date = { Date() }
    /// What runs the invocations instead of the binding dispatcher itself, e.g. one that records
    /// metrics around it (it must call the binding dispatcher).
    public var dispatcher: (any InvocationDispatching)? = nil

    /// A configuration for the host `hostID`.
    public init(hostID: String) {
      self.hostID = hostID
    }
  }

  private let host: FunctionsHost
  private let bindings: BindingDispatcher
  private let store: any FunctionsStore
  private let configuration: Configuration
  private let logger: Logger

  /// Creates the triggers of `host`'s app; nothing runs until ``run()``.
  public init(
    host: FunctionsHost, bindings: BindingDispatcher, store: any FunctionsStore, configuration: Configuration,
    logger: Logger
  ) {
    self.host = host
    self.bindings = bindings
    self.store = store
    self.configuration = configuration
    self.logger = logger
  }

  /// Serves the triggers until graceful shutdown; returns at once if the host fails to start.
  public func run() async throws {
    guard (try? await host.waitForStartup()) != nil else { return }
    do {
      let released = try await store.releaseLeases(owner: configuration.hostID)
      if released > 0 {
        logger.info("released \(released) queue message(s) leased by an earlier run of host '\(configuration.hostID)'")
      }
    } catch {
      logger.error("cannot release the queue leases of an earlier run: \(error)")
    }
    let shutdown = StopSignal()
    let current = CurrentGeneration()
    let reloads = host.reloadEvents()
    await withGracefulShutdownHandler {
      await withDiscardingTaskGroup { outer in
        outer.addTask {
          for await _ in reloads { current.signal?.raise() }
        }
        while !shutdown.isRaised && !Task.isCancelled {
          let generation = StopSignal()
          current.signal = generation
          if shutdown.isRaised { break }
          await runGeneration(stop: generation)
        }
        outer.cancelAll()
      }
    } onGracefulShutdown: {
      shutdown.raise()
      current.signal?.raise()
    }
  }

  /// Runs the listeners of the functions the host has now, until `stop` is raised.
  private func runGeneration(stop: StopSignal) async {
    let plans = host.functions().filter { !$0.isDisabled }.map { bindings.plan(for: $0) }.filter { $0.error == nil }
    let hostJSON = host.app?.hostJSON ?? HostJSON()
    let queueOptions: QueueListenerOptions
    let blobOptions: BlobTriggerOptions
    do {
      queueOptions = try QueueListenerOptions.parse(
        hostJSON, file: "host.json", processorCount: configuration.processorCount)
      blobOptions = try BlobTriggerOptions.parse(hostJSON, processorCount: configuration.processorCount)
    } catch {
      logger.error("\((error as? FunctionsHostError)?.message ?? "\(error)"); storage triggers are not started")
      await stop.waitUntilRaised()
      return
    }
    let invoker = TriggerInvoker(dispatcher: configuration.dispatcher ?? bindings, logger: logger, now: configuration.now)
    let blobEndpoint = await configuration.blobEndpoint()
    var blobPlans: [String: (FunctionBindingPlan, BlobPathPattern)] = [:]
    await withDiscardingTaskGroup { group in
      for plan in plans {
        guard let trigger = plan.triggerBinding else { continue }
        let function = plan.function
        switch plan.trigger {
        case .queue(let name):
          let listener = QueueListener(
            queue: name, label: function.name, options: queueOptions, store: store, owner: configuration.hostID,
            clock: configuration.clock, logger: logger,
            handler: { message, body in
              await invoker.queueTriggered(function: function, trigger: trigger, message: message, body: body)
            })
          group.addTask { await listener.run(stop: stop) }
        case .blob(let pattern):
          blobPlans[BlobTriggerMessage.functionID(of: function.name)] = (plan, pattern)
          let watcher = BlobTriggerWatcher(functionName: function.name, pattern: pattern, store: store, logger: logger)
          group.addTask { await watcher.run(stop: stop) }
        case .timer(let timerPlan):
          var timerPlan = timerPlan
          timerPlan.timeZone = configuration.timeZone
          let timer = TimerListener(
            plan: timerPlan, store: store, owner: configuration.hostID, clock: configuration.clock,
            now: configuration.now, logger: logger,
            invoke: { pastDue, previous in
              await invoker.timerTriggered(function: function, trigger: trigger, isPastDue: pastDue, previous: previous)
            })
          group.addTask { await timer.run(stop: stop) }
        case .http, .manual:
          continue
        }
      }
      if !blobPlans.isEmpty {
        let listener = blobQueueListener(
          plans: blobPlans, blobOptions: blobOptions, invoker: invoker, blobEndpoint: blobEndpoint)
        group.addTask { await listener.run(stop: stop) }
      }
      group.addTask { await stop.waitUntilRaised() }
    }
  }

  /// The listener of the blob-trigger queue: each message names a function and a blob version.
  private func blobQueueListener(
    plans: [String: (FunctionBindingPlan, BlobPathPattern)], blobOptions: BlobTriggerOptions, invoker: TriggerInvoker,
    blobEndpoint endpoint: String
  ) -> QueueListener {
    var options = QueueListenerOptions(processorCount: configuration.processorCount)
    options.messageEncoding = .none
    options.maxDequeueCount = blobOptions.poisonBlobThreshold
    options.batchSize = min(32, max(1, blobOptions.maxDegreeOfParallelism / 2))
    options.newBatchThreshold = max(0, blobOptions.maxDegreeOfParallelism - options.batchSize)
    let store = self.store
    let logger = self.logger
    var listener = QueueListener(
      queue: BlobTriggerMessage.queue, label: "blob triggers", options: options, store: store,
      owner: configuration.hostID, clock: configuration.clock, logger: logger,
      handler: { message, body in
        guard let request = BlobTriggerMessage.decode(body), let (plan, pattern) = plans[request.functionID],
          let trigger = plan.triggerBinding
        else {
          logger.warning("blob-trigger queue: message \(message.id) names no blob-triggered function of this app; dropped")
          return true
        }
        do {
          guard let properties = try await store.blobProperties(container: request.containerName, name: request.blobName),
            properties.etag == request.etag
          else {
            return true  // deleted or changed since: the newer version has its own receipt
          }
          let download = try await store.readBlob(
            container: request.containerName, name: request.blobName, range: nil,
            conditions: BlobConditions(ifMatch: request.etag))
          var content: [UInt8] = []
          content.reserveCapacity(Int(properties.contentLength))
          for try await chunk in download.chunks { content += chunk }
          let captures = pattern.match(container: request.containerName, blobName: request.blobName) ?? [:]
          let uri = "\(endpoint)/\(request.containerName)/\(request.blobName)"
          return await invoker.blobTriggered(
            function: plan.function, trigger: trigger, properties: properties, content: content, captures: captures,
            uri: uri)
        } catch let error as StorageError where [.blobNotFound, .containerNotFound, .conditionNotMet].contains(error.code) {
          return true
        } catch {
          logger.error("blob trigger \(plan.function.name): cannot read '\(request.containerName)/\(request.blobName)': \(error)")
          return false
        }
      })
    listener.poisonQueue = BlobTriggerMessage.poisonQueue
    return listener
  }
}

/// `host.json` → `extensions.blobs` (storage-bindings.md §3.5).
struct BlobTriggerOptions: Sendable, Hashable {
  /// `maxDegreeOfParallelism` (default 8 × cores).
  var maxDegreeOfParallelism: Int
  /// `poisonBlobThreshold` (default 5).
  var poisonBlobThreshold = 5

  /// Reads `extensions.blobs`; a value that is not a whole number ≥ 1 is an error naming the field.
  static func parse(_ hostJSON: HostJSON, processorCount: Int) throws -> BlobTriggerOptions {
    var options = BlobTriggerOptions(maxDegreeOfParallelism: 8 * max(1, processorCount))
    guard let section = hostJSON.extensions["blobs"] else { return options }
    guard let object = section.objectValue else {
      throw FunctionsHostError(code: .configuration, message: "host.json: field 'extensions.blobs' must be an object")
    }
    for (key, value) in object {
      let field = key.lowercased()
      guard field == "maxdegreeofparallelism" || field == "poisonblobthreshold" else { continue }
      guard case .number(let n) = value, n >= 1, n.rounded() == n, n <= 10_000 else {
        throw FunctionsHostError(
          code: .configuration,
          message: "host.json: field 'extensions.blobs.\(key)' is \(value.jsonText); expected a whole number from 1 to 10000")
      }
      if field == "maxdegreeofparallelism" { options.maxDegreeOfParallelism = Int(n) } else { options.poisonBlobThreshold = Int(n) }
    }
    return options
  }
}

/// The stop signal of the listeners running now, swapped at each hot reload.
private final class CurrentGeneration: Sendable {
  private let state = Mutex<StopSignal?>(nil)
  var signal: StopSignal? {
    get { state.withLock { $0 } }
    set { state.withLock { $0 = newValue } }
  }
}
