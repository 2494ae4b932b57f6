package import Foundation
package import FunctionsHostCore

/// What the host does for one function's storage bindings, worked out once from its metadata and the
/// app settings: its trigger (queue, blob, timer, HTTP), the blob inputs it reads, the queue and blob
/// outputs it writes, and the problems that keep it from running (an unsupported binding type, a
/// missing connection setting, a bad path, queue name or schedule) — so that no output binding is
/// ever dropped silently.
package struct FunctionBindingPlan: Sendable {
  /// How the function is triggered.
  package enum Trigger: Sendable {
    /// By HTTP (the front door).
    case http
    /// By messages on a queue.
    case queue(name: String)
    /// By new or changed blobs matching a pattern.
    case blob(BlobPathPattern)
    /// On a schedule.
    case timer(TimerListener.Plan)
    /// Only through `invoke` (no trigger this host serves, or none at all).
    case manual
  }

  /// A `blob` input.
  package struct BlobInput: Sendable {
    /// The binding name.
    package var name: String
    /// The path (`container/name`, the name with `{…}` expressions; `%settings%` already resolved).
    package var path: BlobPath
    /// `dataType` binary: bytes, else text.
    package var dataType: String?
  }

  /// A `queue` or `blob` output.
  package struct Output: Sendable {
    /// Where the value goes.
    package enum Kind: Sendable {
      /// One message per value element, on the queue named by the template.
      case queue(name: BindingTemplate)
      /// The blob at the path.
      case blob(path: BlobPath)
    }
    /// The binding name (`$return` for the return value).
    package var name: String
    /// The kind.
    package var kind: Kind
  }

  /// The function.
  package var function: FunctionMetadata
  /// Its trigger binding, if any.
  package var triggerBinding: BindingMetadata?
  /// How it is triggered.
  package var trigger: Trigger = .manual
  /// Blob inputs, read before each invocation.
  package var blobInputs: [BlobInput] = []
  /// Queue and blob outputs, written after each successful invocation, before it is reported done.
  package var outputs: [Output] = []
  /// Why the function cannot run (empty when it can).
  package var problems: [String] = []
  /// Things the user should know that do not stop the function.
  package var warnings: [String] = []

  /// Whether invocations need the binding pipeline at all (an HTTP function without storage bindings
  /// goes straight to the host).
  package var needsPipeline: Bool { !blobInputs.isEmpty || !outputs.isEmpty }

  /// The error that keeps the function from running, naming the function and each problem.
  package var error: FunctionsHostError? {
    guard !problems.isEmpty else { return nil }
    return FunctionsHostError(
      code: .configuration,
      message: "function '\(function.name)' cannot run: " + problems.joined(separator: "; "))
  }
}

extension FunctionBindingPlan {
  /// Binding types this host serves. Anything else is a load error naming the binding.
  static let servedTypes: Set<String> = [
    "httptrigger", "http", "queuetrigger", "queue", "blobtrigger", "blob", "timertrigger",
  ]

  /// Works out the plan of `function` under `settings` (the app settings the workers see).
  package static func make(
    for function: FunctionMetadata, settings: [String: String], timeZone: TimeZone = TimeZone(identifier: "UTC")!
  ) -> FunctionBindingPlan {
    var plan = FunctionBindingPlan(function: function)
    plan.triggerBinding = function.trigger
    for binding in function.bindings {
      let type = binding.type.lowercased()
      let label = "binding '\(binding.name)' (\(binding.type))"
      guard servedTypes.contains(type) else {
        plan.problems.append(
          "\(label): this host does not serve '\(binding.type)' bindings (it serves httpTrigger, http, "
            + "queueTrigger, queue, blobTrigger, blob and timerTrigger)")
        continue
      }
      if type.hasPrefix("queue") || type.hasPrefix("blob") {
        plan.checkConnection(of: binding, label: label, settings: settings)
      }
      let site = BindingSite(functionName: function.name, bindingName: binding.name)
      do {
        switch (type, binding.direction) {
        case ("httptrigger", _), ("http", _):
          if binding.isTrigger { plan.trigger = .http }
        case ("queuetrigger", _):
          let raw = try required("queueName", of: binding, label: label)
          plan.trigger = .queue(
            name: try StorageNames.queueName(
              raw, appSettings: settings,
              site: BindingSite(functionName: function.name, bindingName: binding.name, property: "queueName")))
        case ("blobtrigger", _):
          let path = try required("path", of: binding, label: label)
          plan.trigger = .blob(try BlobPathPattern.parse(path, appSettings: settings, site: site))
        case ("timertrigger", _):
          plan.trigger = .timer(try timerPlan(function: function, binding: binding, settings: settings, timeZone: timeZone))
        case ("blob", .in):
          let path = try BlobPath.parse(
            try required("path", of: binding, label: label), appSettings: settings, site: site)
          plan.blobInputs.append(BlobInput(name: binding.name, path: path, dataType: binding.dataType))
        case ("blob", .out):
          let path = try BlobPath.parse(
            try required("path", of: binding, label: label), appSettings: settings, site: site)
          plan.outputs.append(Output(name: binding.name, kind: .blob(path: path)))
        case ("queue", .out):
          let raw = try required("queueName", of: binding, label: label)
          let name = try BindingTemplate.parse(
            raw, appSettings: settings,
            site: BindingSite(functionName: function.name, bindingName: binding.name, property: "queueName"))
          if name.isLiteral {
            _ = try StorageNames.normalizedQueueName(name.text, site: name.site)  // fail at load, not per call
          }
          plan.outputs.append(Output(name: binding.name, kind: .queue(name: name)))
        default:
          plan.problems.append("\(label): direction '\(binding.direction.rawValue)' is not supported for this type")
        }
      } catch let error as FunctionsHostError {
        plan.problems.append(error.message)
      } catch let error as BindingExpressionError {
        // Its message starts with "function 'f', binding 'b': "; the plan's error names the function once.
        let prefix = "function '\(function.name)', "
        plan.problems.append(
          error.message.hasPrefix(prefix) ? String(error.message.dropFirst(prefix.count)) : error.message)
      } catch {
        plan.problems.append("\(label): \(error)")
      }
    }
    return plan
  }

  private static func required(_ key: String, of binding: BindingMetadata, label: String) throws -> String {
    guard let value = binding.property(key)?.stringValue, !value.isEmpty else {
      throw FunctionsHostError(code: .configuration, message: "\(label): the '\(key)' property is missing")
    }
    return value
  }

  private static func timerPlan(
    function: FunctionMetadata, binding: BindingMetadata, settings: [String: String], timeZone: TimeZone
  ) throws -> TimerListener.Plan {
    let label = "binding '\(binding.name)' (\(binding.type))"
    let text = try AppSettingResolver.resolve(
      try required("schedule", of: binding, label: label), settings: settings,
      site: BindingSite(functionName: function.name, bindingName: binding.name, property: "schedule"))
    let schedule: TimerSchedule
    do { schedule = try TimerSchedule.parse(text) } catch {
      throw FunctionsHostError(code: .configuration, message: "\(label): \(error)")
    }
    let runOnStartup = binding.property("runOnStartup")?.boolValue ?? false
    var useMonitor = binding.property("useMonitor")?.boolValue ?? true
    if schedule.firesMoreOftenThanOncePerMinute(after: Date(), in: timeZone) { useMonitor = false }
    return TimerListener.Plan(
      functionName: function.name, schedule: schedule, runOnStartup: runOnStartup, useMonitor: useMonitor,
      timeZone: timeZone)
  }


  /// A storage binding needs its connection setting (`connection`, default `AzureWebJobsStorage`), as the
  /// stock host checks at indexing; one that names a real Azure account gets a warning, since this host
  /// serves queues and blobs from its own store.
  private mutating func checkConnection(of binding: BindingMetadata, label: String, settings: [String: String]) {
    var name = binding.property("connection")?.stringValue ?? ""
    if name.isEmpty { name = "AzureWebJobsStorage" }
    let candidates = [name, "AzureWebJobs" + name]
    let value = candidates.lazy.compactMap { settings[$0] }.first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    let identityBased = settings.keys.contains { $0.hasPrefix(name + "__") }
    guard let value else {
      if !identityBased {
        problems.append(
          "\(label): the storage connection setting '\(name)' does not exist or is empty; set it in "
            + "local.settings.json Values (for this host's own storage: \"\(name)\": \"UseDevelopmentStorage=true\")")
      }
      return
    }
    if let account = ConnectionString.realAccount(in: value) {
      let warning =
        "connection setting '\(name)' names the Azure storage account '\(account)': this host serves queues and "
        + "blobs from its own store, and nothing in that account is read or written"
      if !warnings.contains(warning) { warnings.append(warning) }
    }
  }
}

/// Storage connection strings.
enum ConnectionString {
  /// The account a connection string names when it is a real Azure account rather than the development
  /// storage (this host); `nil` otherwise.
  static func realAccount(in value: String) -> String? {
    var fields: [String: String] = [:]
    for part in value.split(separator: ";") {
      guard let eq = part.firstIndex(of: "=") else { continue }
      fields[part[..<eq].trimmingCharacters(in: .whitespaces).lowercased()] = String(part[part.index(after: eq)...])
    }
    if fields["usedevelopmentstorage"]?.lowercased() == "true" { return nil }
    let account = fields["accountname"]
    if account == "devstoreaccount1" { return nil }
    let endpoints = [fields["blobendpoint"], fields["queueendpoint"]].compactMap { $0 }
    if !endpoints.isEmpty && endpoints.allSatisfy({ $0.contains("127.0.0.1") || $0.contains("localhost") }) {
      return nil
    }
    return account ?? (value.contains("core.windows.net") ? "(unnamed)" : nil)
  }
}
