package import FunctionsRPC
internal import Synchronization

/// The app's functions: fixed at start for function.json apps, or filled by the first worker's indexing.
package final class FunctionCatalog: Sendable {
  private enum Phase {
    case waiting
    /// A worker indexes; the promise completes when it finished (or failed).
    case indexing(Promise<Void>)
    case indexed
  }
  private struct State {
    var phase: Phase = .waiting
    var functions: [FunctionMetadata] = []
    var byName: [String: FunctionMetadata] = [:]
    var errors: [FunctionsHostError] = []
  }
  private let state = Mutex(State())

  /// A catalog that must be indexed by a worker (the app has a decorator-model script).
  package init() {}

  /// A catalog that is complete already (function.json app).
  package init(functions: [FunctionMetadata], errors: [FunctionsHostError]) {
    state.withLock { s in
      s.phase = .indexed
      s.functions = functions
      s.byName = Dictionary(functions.map { ($0.name.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })
      s.errors = errors
    }
  }

  /// All functions (empty until indexed).
  package var functions: [FunctionMetadata] { state.withLock { $0.functions } }
  /// Indexing errors, one per function that could not be used.
  package var errors: [FunctionsHostError] { state.withLock { $0.errors } }
  /// Whether indexing finished.
  package var isIndexed: Bool {
    state.withLock { if case .indexed = $0.phase { true } else { false } }
  }

  /// The function with that name (case-insensitive).
  package func function(named name: String) -> FunctionMetadata? {
    state.withLock { $0.byName[name.lowercased()] }
  }

  /// Returns the functions, indexing them through `index` if nobody has yet; other callers wait.
  ///
  /// If `index` throws, the next caller tries again.
  package func functions(
    indexingWith index: @Sendable () async throws -> ([FunctionMetadata], [FunctionsHostError])
  ) async throws -> [FunctionMetadata] {
    while true {
      enum Next { case done([FunctionMetadata]), index(Promise<Void>), wait(Promise<Void>) }
      let next: Next = state.withLock { s in
        switch s.phase {
        case .indexed: return .done(s.functions)
        case .waiting:
          let round = Promise<Void>()
          s.phase = .indexing(round)
          return .index(round)
        case .indexing(let round): return .wait(round)
        }
      }
      switch next {
      case .done(let functions): return functions
      case .wait(let round):
        // Cancellation ends this caller's wait only.
        try await round.wait()
      case .index(let round):
        defer { round.complete(.success(())) }
        do {
          let (functions, errors) = try await index()
          state.withLock { s in
            s.phase = .indexed
            s.functions = functions
            s.byName = Dictionary(functions.map { ($0.name.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })
            s.errors = errors
          }
          return functions
        } catch {
          state.withLock { $0.phase = .waiting }
          throw error
        }
      }
    }
  }

  /// Turns a worker's FunctionMetadataResponse into functions and per-function errors (protocol.md §2.10).
  package static func functions(
    from response: AzureFunctionsRpcMessages_FunctionMetadataResponse, scriptRoot: String,
    settings: [String: String], fallback: () -> FunctionJSONIndexer.Result
  ) throws -> ([FunctionMetadata], [FunctionsHostError]) {
    if response.useDefaultMetadataIndexing {
      let scan = fallback()
      var errors = scan.errors
      if scan.functions.isEmpty && scan.errors.isEmpty {
        errors.append(
          FunctionsHostError(
            code: .configuration,
            message: "no functions found in \(scriptRoot): the worker found no decorator-model script "
              + "(function_app.py, or PYTHON_SCRIPT_FILE_NAME) and no folder has a function.json"))
      }
      return (scan.functions, errors)
    }
    guard response.result.status == .success else {
      let detail = response.result.exception.message.isEmpty ? response.result.result : response.result.exception.message
      var message = "the worker failed to index the app in \(scriptRoot): \(detail)"
      if !response.result.exception.stackTrace.isEmpty { message += "\n\(response.result.exception.stackTrace)" }
      // Recorded, not thrown: restarting the worker would fail the same way forever.
      return ([], [FunctionsHostError(code: .configuration, message: message, exception: response.result.exception)])
    }
    var functions: [FunctionMetadata] = []
    var errors: [FunctionsHostError] = []
    var seenNames = Set<String>()
    for m in response.functionMetadataResults {
      let file = m.scriptFile.isEmpty ? scriptRoot : m.scriptFile
      func fail(_ message: String) -> FunctionsHostError {
        FunctionsHostError(code: .configuration, message: "\(file): function '\(m.name)': \(message)")
      }
      do {
        if m.hasStatus, m.status.status == .failure {
          throw fail("indexing failed: \(m.status.exception.message)")
        }
        guard FunctionJSONIndexer.isValidName(m.name) else {
          throw fail("the name is invalid: it must start with a letter and use only letters, digits, '_' and '-'")
        }
        guard seenNames.insert(m.name.lowercased()).inserted else { throw fail("two functions have this name") }
        var bindings: [BindingMetadata] = []
        for (i, raw) in m.rawBindings.enumerated() {
          let value: JSONValue
          do { value = try JSONValue.parse(Data(raw.utf8)) } catch {
            throw fail("raw_bindings[\(i)] is not valid JSON: \(raw.prefix(200))")
          }
          bindings.append(try FunctionJSONIndexer.parseBinding(value, index: i, fail: fail))
        }
        if bindings.isEmpty { throw fail("it has no bindings") }
        try FunctionJSONIndexer.validate(bindings, fail: fail)
        var disabled = false
        if let flag = settings["AzureWebJobs.\(m.name).Disabled"], flag.lowercased() == "true" || flag == "1" {
          disabled = true
        }
        functions.append(
          FunctionMetadata(
            name: m.name, functionID: m.functionID.isEmpty ? m.name : m.functionID,
            directory: m.directory.isEmpty ? scriptRoot : m.directory, scriptFile: m.scriptFile,
            entryPoint: m.entryPoint.isEmpty ? nil : m.entryPoint, bindings: bindings, isDisabled: disabled,
            properties: m.properties, sourceFile: file))
      } catch let error as FunctionsHostError {
        errors.append(error)
      }
    }
    if response.functionMetadataResults.isEmpty {
      // The stock host's bare "No job functions found" is a known pain: say why, with the worker's reason.
      let reason = response.result.result.isEmpty ? "the worker reported none" : response.result.result
      errors.append(
        FunctionsHostError(code: .configuration, message: "no functions found in \(scriptRoot): \(reason)"))
    }
    return (functions, errors)
  }
}

internal import struct Foundation.Data
