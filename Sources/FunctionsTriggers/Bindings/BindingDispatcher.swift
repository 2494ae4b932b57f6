internal import Foundation
public import FunctionsHostCore
internal import FunctionsRPC
public import FunctionsStorage
public import Logging
internal import Synchronization

/// The storage binding pipeline in front of the host: reads a function's blob inputs before it runs and
/// writes its queue and blob outputs after it succeeded, before the invocation is reported done — so a
/// caller that got an answer knows the outputs are stored. Functions whose bindings the host cannot serve
/// (an unsupported binding type, a missing connection setting, a bad path) are refused with an error
/// naming the binding; no output binding is ever dropped silently.
///
/// Hand it to the HTTP front door and to ``StorageTriggers`` instead of the host itself:
///
/// ```swift
/// let store = try SQLiteStore(path: storePath)
/// let bindings = BindingDispatcher(host: host, store: store, logger: logger)
/// let frontDoor = HTTPFrontDoor(dispatcher: bindings, …)
/// ```
public final class BindingDispatcher: InvocationDispatching, Sendable {
  private let inner: any InvocationDispatching
  private let store: any FunctionsStore
  private let logger: Logger
  private let environment: @Sendable () -> BindingEnvironment
  private let plans = Mutex<[String: FunctionBindingPlan]>([:])
  private let table = Mutex<PlanTable?>(nil)

  /// Serves the bindings of `host`'s functions from `store`, with the host's app settings and host.json.
  public convenience init(host: FunctionsHost, store: any FunctionsStore, logger: Logger) {
    self.init(
      inner: host, store: store, logger: logger,
      environment: {
        BindingEnvironment(
          settings: host.appSettings,
          messageEncoding: (try? QueueListenerOptions.parse(
            host.app?.hostJSON ?? HostJSON(), file: "host.json", processorCount: 1).messageEncoding) ?? .base64)
      })
  }

  /// Serves the bindings of any dispatcher's functions (tests, other hosts).
  package init(
    inner: any InvocationDispatching, store: any FunctionsStore, logger: Logger,
    environment: @escaping @Sendable () -> BindingEnvironment
  ) {
    self.inner = inner
    self.store = store
    self.logger = logger
    self.environment = environment
  }

  /// The app's functions, as the host has them.
  public func functions() -> [FunctionMetadata] { inner.functions() }

  /// The function with that name, as the host has it.
  public func function(named name: String) -> FunctionMetadata? { inner.function(named: name) }

  /// Problems that keep functions from running, one error per function, and warnings — for the start banner.
  public func problems(in functions: [FunctionMetadata]) -> (errors: [FunctionsHostError], warnings: [String]) {
    var errors: [FunctionsHostError] = []
    var warnings: [String] = []
    for function in functions {
      let plan = plan(for: function)
      if let error = plan.error { errors.append(error) }
      for w in plan.warnings where !warnings.contains(w) { warnings.append(w) }
    }
    return (errors, warnings)
  }

  /// The binding plan of `function` (worked out once per function version).
  package func plan(for function: FunctionMetadata) -> FunctionBindingPlan {
    let key = function.functionID
    // Decorator apps may keep a function id across a reload that changed its bindings: compare.
    if let cached = plans.withLock({ $0[key] }), cached.function == function { return cached }
    let plan = FunctionBindingPlan.make(for: function, settings: environment().settings)
    plans.withLock { cache in
      if cache.count > 4096 { cache.removeAll() }
      cache[key] = plan
    }
    return plan
  }

  /// The current functions with their plans, keyed by exact and lower-cased name; rebuilt when the inner
  /// dispatcher's function set changes (it hands out the same stored array until then, so the check is a
  /// storage-identity comparison).
  private struct PlanTable {
    var source: [FunctionMetadata]
    var byName: [String: (function: FunctionMetadata, plan: FunctionBindingPlan)]
  }

  /// The function named `name` (exact spelling first, then ignoring case) with its binding plan.
  private func planned(_ name: String) -> (function: FunctionMetadata, plan: FunctionBindingPlan)? {
    let functions = inner.functions()
    let current = table.withLock { $0 }
    if let current, current.source == functions {
      return current.byName[name] ?? current.byName[name.lowercased()]
    }
    var byName: [String: (function: FunctionMetadata, plan: FunctionBindingPlan)] = [:]
    for function in functions {
      let entry = (function: function, plan: plan(for: function))
      byName[function.name] = entry
      if byName[function.name.lowercased()] == nil { byName[function.name.lowercased()] = entry }
    }
    table.withLock { $0 = PlanTable(source: functions, byName: byName) }
    return byName[name] ?? byName[name.lowercased()]
  }

  /// Runs the function with its blob inputs read and its outputs written.
  ///
  /// One lookup per invocation: the function and its plan come from a table rebuilt only when the
  /// function set changes, and the host is handed the function it found.
  ///
  /// - Throws: ``FunctionsHostError``: what the host throws, `.configuration` when the function's bindings
  ///   cannot be served, `.bindingFailed` when an input cannot be read or an output cannot be written.
  public func invoke(_ input: InvocationInput) async throws -> InvocationOutput {
    guard let (function, plan) = planned(input.functionName) else { return try await inner.invoke(input) }
    return try await pipeline(input, function: function, plan: plan, output: { $0 }) { input in
      try await inner.invoke(input, function: function)
    }
  }

  /// Starts the function at once when its bindings need no pipeline (no blob inputs, no storage outputs)
  /// and the inner dispatcher can; otherwise `false` (use ``invoke(_:)``).
  public func startInvoke(
    _ input: InvocationInput, function: FunctionMetadata,
    completion: @escaping @Sendable (Result<InvocationOutput, any Error>) -> Void
  ) -> Bool {
    guard let (current, plan) = planned(input.functionName), plan.error == nil, !plan.needsPipeline else {
      return false
    }
    return inner.startInvoke(input, function: current, completion: completion)
  }

  /// The inner dispatcher's HTTP proxy target for `function`.
  public func httpProxy(for function: FunctionMetadata) -> HTTPProxyTarget? { inner.httpProxy(for: function) }

  /// Runs the proxied invocation with its blob inputs read and its outputs written, as ``invoke(_:)``.
  public func invokeProxied<Forwarded: Sendable>(
    _ input: InvocationInput, function: FunctionMetadata,
    forward: @escaping @Sendable (HTTPProxyTarget, String) async throws -> Forwarded
  ) async throws -> (Forwarded, InvocationOutput) {
    guard let (current, plan) = planned(input.functionName) else {
      return try await inner.invokeProxied(input, function: function, forward: forward)
    }
    return try await pipeline(input, function: current, plan: plan, output: \.1) { input in
      try await inner.invokeProxied(input, function: current, forward: forward)
    }
  }

  /// Refuses functions whose bindings cannot be served, reads blob inputs, runs `run`, writes outputs.
  private func pipeline<Result>(
    _ input: InvocationInput, function: FunctionMetadata, plan: FunctionBindingPlan,
    output: (Result) -> InvocationOutput, run: (InvocationInput) async throws -> Result
  ) async throws -> Result {
    if var error = plan.error {
      error.code = .configuration
      throw error
    }
    guard plan.needsPipeline else { return try await run(input) }
    let bindingData = BindingDataConversion.bindingData(from: input.triggerMetadata)
    let environment = environment()
    let resolver = ExpressionResolver(function: function.name, bindingData: bindingData)
    var input = input
    for blob in plan.blobInputs {
      input.inputData.append(try await read(blob, resolver: resolver))
    }
    let result = try await run(input)
    let output = output(result)
    for binding in plan.outputs {
      let value = binding.name == "$return" ? output.returnValue : output.outputData[binding.name]
      guard let value else { continue }
      do {
        try await write(value, to: binding, resolver: resolver, encoding: environment.messageEncoding)
      } catch var error as FunctionsHostError {
        error.invocationID = output.invocationID
        throw error
      }
    }
    return result
  }

  private func read(_ blob: FunctionBindingPlan.BlobInput, resolver: ExpressionResolver) async throws
    -> AzureFunctionsRpcMessages_ParameterBinding
  {
    let (container, name) = try resolver.resolve(blob.path)
    let path = "\(container)/\(name)"
    var content: [UInt8]? = nil
    do {
      let download = try await store.readBlob(container: container, name: name, range: nil, conditions: .none)
      var bytes: [UInt8] = []
      bytes.reserveCapacity(Int(download.properties.contentLength))
      for try await chunk in download.chunks { bytes += chunk }
      content = bytes
    } catch let error as StorageError where [.blobNotFound, .containerNotFound].contains(error.code) {
      content = nil  // a missing blob is None in Python, as in the stock host
    } catch {
      throw FunctionsHostError(
        code: .bindingFailed,
        message: "function '\(resolver.function)', binding '\(blob.name)': cannot read blob '\(path)': \(error)",
        cause: error)
    }
    var binding = AzureFunctionsRpcMessages_ParameterBinding()
    binding.name = blob.name
    binding.data = BlobInputValue.inputValue(content: content, dataType: blob.dataType)
    return binding
  }

  private func write(
    _ value: AzureFunctionsRpcMessages_TypedData, to binding: FunctionBindingPlan.Output,
    resolver: ExpressionResolver, encoding: QueueListenerOptions.MessageEncoding
  ) async throws {
    let function = resolver.function
    switch binding.kind {
    case .queue(let template):
      let queue: String
      do { queue = try StorageNames.normalizedQueueName(try resolver.resolve(template), site: template.site) } catch
        let error as BindingExpressionError
      {
        throw FunctionsHostError(code: .bindingFailed, message: error.message, cause: error)
      }
      let messages: [[UInt8]]
      do { messages = try QueueOutputMessages.messages(from: value) } catch {
        throw FunctionsHostError(
          code: .bindingFailed, message: "function '\(function)', binding '\(binding.name)': \(error)", cause: error)
      }
      for message in messages {
        let body = encoding == .base64 ? Base64Body.encode(message) : message
        try await storeCall(function: function, binding: binding.name, what: "put a message on queue '\(queue)'") {
          do {
            _ = try await store.putMessage(queue: queue, body: body, visibilityDelay: .zero, timeToLive: .seconds(7 * 86_400))
          } catch let error as StorageError where error.code == .queueNotFound {
            _ = try await store.createQueue(queue, metadata: [:])
            _ = try await store.putMessage(queue: queue, body: body, visibilityDelay: .zero, timeToLive: .seconds(7 * 86_400))
          }
        }
      }
    case .blob(let blobPath):
      let (container, name) = try resolver.resolve(blobPath)
      let path = "\(container)/\(name)"
      let bytes: [UInt8]?
      do { bytes = try BlobOutputContent.bytes(from: value) } catch {
        throw FunctionsHostError(
          code: .bindingFailed, message: "function '\(function)', binding '\(binding.name)': \(error)", cause: error)
      }
      guard let bytes else { return }
      try await storeCall(function: function, binding: binding.name, what: "write blob '\(path)'") {
        func put() async throws {
          _ = try await store.putBlob(
            container: container, name: name, content: SingleChunk(bytes: bytes), headers: BlobHTTPHeaders(),
            metadata: [:], conditions: .none)
        }
        do { try await put() } catch let error as StorageError where error.code == .containerNotFound {
          do { _ = try await store.createContainer(container, metadata: [:], publicAccess: nil) } catch let e as StorageError
            where e.code == .containerAlreadyExists
          {}
          try await put()
        }
      }
    }
  }

  private func storeCall(function: String, binding: String, what: String, _ body: () async throws -> Void) async throws {
    do { try await body() } catch {
      throw FunctionsHostError(
        code: .bindingFailed, message: "function '\(function)', binding '\(binding)': cannot \(what): \(error)",
        cause: error)
    }
  }
}

/// What the binding pipeline needs from the app at each invocation.
package struct BindingEnvironment: Sendable {
  /// The app settings (for `%Setting%`).
  package var settings: [String: String]
  /// `extensions.queues.messageEncoding`, for queue outputs.
  package var messageEncoding: QueueListenerOptions.MessageEncoding

  package init(settings: [String: String], messageEncoding: QueueListenerOptions.MessageEncoding) {
    self.settings = settings
    self.messageEncoding = messageEncoding
  }
}

/// A whole value as a one-chunk async sequence, for the store's streaming writes.
struct SingleChunk: AsyncSequence, Sendable {
  typealias Element = [UInt8]
  let bytes: [UInt8]

  struct AsyncIterator: AsyncIteratorProtocol {
    var bytes: [UInt8]?
    mutating func next() async throws(any Error) -> [UInt8]? {
      defer { bytes = nil }
      return bytes
    }
  }

  func makeAsyncIterator() -> AsyncIterator { AsyncIterator(bytes: bytes) }
}
