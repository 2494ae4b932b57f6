extension WorkerDescription {
  /// The environment a worker process starts with: the app settings, overridden by this description's
  /// ``environment``, plus the variables the language-worker protocol defines (worker and application
  /// directories, `FUNCTIONS_WORKER_RUNTIME` and `PYTHONUNBUFFERED` unless the app sets them). A Python
  /// worker — the bundled one or any other, Microsoft's included — also gets the app's vendored packages
  /// (`.python_packages/lib/site-packages`) first on `PYTHONPATH`, as the Azure platform gives them.
  ///
  /// Used by the host's supervisor and by the conformance kit, beside ``launchArguments(host:port:workerID:requestID:maxMessageLength:unixSocketPath:rawUnixSocketPath:)``.
  public func processEnvironment(appSettings: [String: String], appDirectory: String) -> [String: String] {
    var environment = appSettings
    environment.merge(self.environment) { _, new in new }
    environment["FUNCTIONS_WORKER_DIRECTORY"] = workerDirectory.isEmpty ? appDirectory : workerDirectory
    environment["FUNCTIONS_APPLICATION_DIRECTORY"] = appDirectory
    environment["AzureWebJobsScriptRoot"] = appDirectory
    if environment["FUNCTIONS_WORKER_RUNTIME"] == nil { environment["FUNCTIONS_WORKER_RUNTIME"] = language }
    if environment["PYTHONUNBUFFERED"] == nil { environment["PYTHONUNBUFFERED"] = "1" }
    if language.lowercased() == "python" {
      let vendored = appDirectory + "/.python_packages/lib/site-packages"
      let existing = environment["PYTHONPATH"] ?? ""
      if !existing.split(separator: ":").contains(Substring(vendored)) {
        environment["PYTHONPATH"] = existing.isEmpty ? vendored : vendored + ":" + existing
      }
    }
    return environment
  }
}
