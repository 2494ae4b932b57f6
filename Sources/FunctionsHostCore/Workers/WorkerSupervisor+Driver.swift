internal import Foundation
internal import FunctionsRPC
internal import Logging

extension WorkerSupervisor {
  /// Runs one worker process from launch to exit: feeds a ``WorkerLifecycle/StateMachine`` the events
  /// (process, stream, replies, timers) and performs the actions it returns. Every task it starts is a
  /// child of this call. Returns whether the worker became ready.
  func runWorker(slot: Int, rpcPort: Int) async -> Bool {
    let (events, sink) = AsyncStream<WorkerLifecycle.Event>.makeStream()
    let workerID = Self.newWorkerID()
    let channel = WorkerChannel(
      workerID: workerID, slot: slot, logger: logger, logLevels: settings.logLevels,
      cancelGrace: settings.cancelGrace, clock: settings.clock, events: sink,
      bindsToLaunchedProcess: settings.processRunner.startsProcessGroups)
    guard let generation = begin(slot: slot, channel: channel) else { return false }
    registry.register(channel)
    defer {
      pool.remove(channel)
      registry.remove(channel)
      end(slot: slot, channel: channel)
    }
    let launch = launch(for: generation, workerID: workerID, rpcPort: rpcPort)
    let runner = settings.processRunner
    let terminate = Promise<Void>()
    let d = settings.description
    let shown = ([d.executable] + d.arguments + (d.workerPath.map { [$0] } ?? []) + d.workerArguments)
    logger.info("starting worker \(slot): \(shown.joined(separator: " "))")

    var machine = WorkerLifecycle.StateMachine(slot: slot, timeouts: settings.timeouts)
    var becameReady = false
    await withDiscardingTaskGroup { group in
      group.addTask { [logger] in
        let end = await runner.run(launch, slot: slot, logger: logger, terminate: terminate) { pid in
          channel.setPID(pid)
          logger.info("worker \(slot) started", metadata: ["pid": "\(pid)"])
          sink.yield(.processStarted(pid: pid))
        }
        sink.yield(end)
      }
      let context = ActionContext(
        slot: slot, channel: channel, generation: generation, sink: sink, terminate: terminate)
      for await event in events {
        notify(event, slot: slot, machine: machine)
        for action in machine.handle(event) {
          if case .finish(let ready) = action { becameReady = ready }
          perform(action, context, group: &group)
        }
        if machine.isFinished { break }
      }
      sink.finish()
      group.cancelAll()
    }
    return becameReady
  }

  /// What the actions of one worker act on.
  private struct ActionContext: Sendable {
    var slot: Int
    var channel: WorkerChannel
    var generation: Generation
    var sink: AsyncStream<WorkerLifecycle.Event>.Continuation
    var terminate: Promise<Void>
  }

  private func perform(_ action: WorkerLifecycle.Action, _ c: ActionContext, group: inout DiscardingTaskGroup) {
    let (slot, channel, sink) = (c.slot, c.channel, c.sink)
    switch action {
    case .startTimer(let timer, let after):
      let clock = settings.clock
      group.addTask {
        guard (try? await clock.sleep(for: after)) != nil else { return }
        sink.yield(.timerFired(timer))
      }
    case .initialize:
      let settings = self.settings
      group.addTask { [logger] in
        guard
          let response = try? await channel.initialize(
            hostVersion: settings.hostVersion, workerDirectory: settings.description.workerDirectory,
            appDirectory: settings.scriptRoot, capabilities: ["MultiStream": "10"])
        else { return }
        guard response.result.status == .success else {
          let why = response.result.exception.message.isEmpty ? response.result.result : response.result.exception.message
          sink.yield(.initAnswered(.failure(why.isEmpty ? "WorkerInitResponse reported Failure" : why)))
          return
        }
        let meta = response.workerMetadata
        logger.info(
          "worker \(slot) initialized: \(LogSafe.escape(meta.runtimeName, limit: 64)) \(LogSafe.escape(meta.runtimeVersion, limit: 64)), worker \(LogSafe.escape(meta.workerVersion, limit: 64)); capabilities: \(LogSafe.escape(response.capabilities.keys.sorted().joined(separator: ", "), limit: 400))"
        )
        let advertised = Set(response.capabilities.filter { !$0.value.isEmpty }.keys)
        sink.yield(.initAnswered(.success(capabilities: advertised)))
      }
    case .resolveFunctions:
      group.addTask { await self.resolveFunctions(c) }
    case .load(let functions):
      for function in functions {
        group.addTask { [logger] in
          guard let response = try? await channel.load(function) else { return }
          if response.result.status != .success {
            var message =
              response.result.exception.message.isEmpty ? response.result.result : response.result.exception.message
            if !response.result.exception.stackTrace.isEmpty { message += "\n" + response.result.exception.stackTrace }
            logger.error(
              "worker \(slot) failed to load function '\(LogSafe.escape(function.name))': \(message)",
              metadata: ["function": "\(function.name)"])
          }
          sink.yield(.loadAnswered(functionID: function.functionID))
        }
      }
    case .markReady(let count):
      channel.markReady()
      pool.add(channel)
      logger.info("worker \(slot) is ready (\(count) functions)", metadata: ["pid": "\(channel.pid ?? 0)"])
      settle(slot: slot, ready: true)
    case .stopRouting:
      channel.stopRouting()
      pool.remove(channel)
    case .awaitIdle:
      group.addTask {
        await channel.waitUntilIdle()
        sink.yield(.idle)
      }
    case .probeHealth(let probe):
      group.addTask {
        guard (try? await channel.status()) != nil else { return }
        sink.yield(.healthAnswered(probe: probe))
      }
    case .expireInvocations:
      let expiry = channel.expireInvocations()
      if !expiry.expired.isEmpty {
        group.addTask { [logger] in
          for id in expiry.expired {
            let sent = await channel.sendCancel(id)
            logger.warning(
              "invocation exceeded functionTimeout; \(sent ? "InvocationCancel sent" : "the worker cannot cancel it, its result will be discarded")",
              metadata: ["invocationId": "\(id)", "worker": "\(slot)"])
          }
        }
      }
      for id in expiry.unresponsive { sink.yield(.invocationUnresponsive(invocationID: id)) }
      if let next = expiry.next { sink.yield(.invocationDeadline(after: next)) }
    case .abandonInvocation(let id):
      channel.abandonInvocation(id)
    case .startReplacement:
      group.addTask { [logger] in
        if !(await self.replace(slot: slot)) {
          logger.warning("worker \(slot) could not be replaced now (shutdown or hot reload under way)")
        }
      }
    case .sendTerminate(let grace):
      group.addTask { await channel.sendTerminate(grace: grace) }
    case .terminateProcess:
      c.terminate.complete(.success(()))
    case .closeChannel(let reason):
      pool.remove(channel)
      channel.close(reason: reason)
    case .log(let level, let message):
      switch level {
      case .info: logger.info("\(message)")
      case .warning: logger.warning("\(message)")
      case .error: logger.error("\(message)")
      }
    case .finish:
      break
    }
  }

  /// The app's functions: from the catalog, or indexed by this worker (the first of its generation).
  private func resolveFunctions(_ c: ActionContext) async {
    let (slot, channel, generation) = (c.slot, c.channel, c.generation)
    let scriptRoot = settings.scriptRoot
    do {
      let functions = try await generation.catalog.functions { [logger] in
        logger.info("worker \(slot) is indexing the app")
        let metadata = try await channel.functionsMetadata(appDirectory: scriptRoot)
        let (functions, errors) = try FunctionCatalog.functions(
          from: metadata, scriptRoot: scriptRoot, settings: generation.environment,
          fallback: generation.indexFallback)
        for error in errors { logger.error("\(error.message)") }
        return (functions, errors)
      }
      c.sink.yield(.functionsResolved(functions))
    } catch {
      if channel.closeReason == nil { c.sink.yield(.functionsFailed("\(error)")) }
    }
  }

  /// The process to start for one worker of `generation`.
  private func launch(for generation: Generation, workerID: String, rpcPort: Int) -> WorkerProcessLaunch {
    let d = settings.description
    let arguments = d.launchArguments(
      host: "127.0.0.1", port: rpcPort, workerID: workerID, requestID: UUID().uuidString.lowercased(),
      maxMessageLength: settings.maxMessageLength, unixSocketPath: settings.unixSocketPath)
    var environment = d.processEnvironment(appSettings: generation.environment, appDirectory: settings.scriptRoot)
      .merging(d.launchEnvironment(workerID: workerID)) { _, launch in launch }
    if let directory = settings.httpSocketDirectory, d.supportsUnixSocketTransport {
      let name = UUID().uuidString.prefix(8).lowercased()
      environment[WorkerDescription.httpSocketEnvironmentVariable] = "\(directory)/http-\(name).sock"
    }
    return WorkerProcessLaunch(
      executable: d.executable, arguments: arguments,
      environment: environment,
      workingDirectory: settings.scriptRoot, terminateGrace: settings.terminateGrace)
  }

  /// A random, unguessable worker id (128 bits).
  static func newWorkerID() -> String {
    var g = SystemRandomNumberGenerator()
    return String(format: "%016llx%016llx", g.next() as UInt64, g.next() as UInt64)
  }
}
