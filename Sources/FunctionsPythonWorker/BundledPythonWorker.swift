/// The Python language worker compiled into this module: the `worker.py` entry script, the
/// `functions_host_worker` package it runs, its generated gRPC stubs and its `requirements.txt`.
///
/// The files are embedded in the binary (`.embedInCode`), so a `functions-host` executable keeps
/// working when copied anywhere; ``materialize(into:)`` writes them to a content-addressed cache
/// directory before the first worker starts.
///
/// ```swift
/// let env = ProcessInfo.processInfo.environment  // in the CLI; the library never reads it
/// let cache = BundledPythonWorker.defaultCacheDirectory(environment: env)
/// let worker = try BundledPythonWorker.materialize(into: cache)
/// // run: python3 <worker.workerScript> --host 127.0.0.1 --port …
/// ```
public enum BundledPythonWorker {
  /// One bundled file: where it goes inside the worker directory, and its contents.
  public struct File: Sendable, Hashable {
    /// The path relative to the worker directory, e.g. `worker.py`.
    public var relativePath: String
    /// The file's exact contents.
    public var bytes: [UInt8]

    /// Creates a file entry.
    public init(relativePath: String, bytes: [UInt8]) {
      self.relativePath = relativePath
      self.bytes = bytes
    }
  }

  /// The worker script's path inside the worker directory.
  public static let workerScriptPath = "worker.py"

  /// The worker's pip requirements file inside the worker directory.
  public static let requirementsPath = "requirements.txt"

  /// Every bundled file, in a fixed order.
  ///
  /// SwiftPM names embedded resources after the file name alone (so every bundled file name must be
  /// unique), and this hand-written manifest is what restores the directory layout: the package
  /// `functions_host_worker/` next to `worker.py`, and the generated `_pb2` modules at the top,
  /// where their imports expect them.
  public static let files: [File] = [
    File(relativePath: workerScriptPath, bytes: PackageResources.worker_py),
    File(relativePath: requirementsPath, bytes: PackageResources.requirements_txt),
    File(relativePath: "functions_host_worker/__init__.py", bytes: PackageResources.__init___py),
    File(relativePath: "functions_host_worker/constants.py", bytes: PackageResources.constants_py),
    File(relativePath: "functions_host_worker/cli.py", bytes: PackageResources.cli_py),
    File(relativePath: "functions_host_worker/transport.py", bytes: PackageResources.transport_py),
    File(relativePath: "functions_host_worker/h2stream.py", bytes: PackageResources.h2stream_py),
    File(relativePath: "functions_host_worker/h2client.py", bytes: PackageResources.h2client_py),
    File(
      relativePath: "functions_host_worker/dispatcher.py",
      bytes: PackageResources.dispatcher_py
    ),
    File(relativePath: "functions_host_worker/runner.py", bytes: PackageResources.runner_py),
    File(relativePath: "functions_host_worker/loader.py", bytes: PackageResources.loader_py),
    File(relativePath: "functions_host_worker/bindings.py", bytes: PackageResources.bindings_py),
    File(relativePath: "functions_host_worker/logs.py", bytes: PackageResources.logs_py),
    File(relativePath: "functions_host_worker/wiring.py", bytes: PackageResources.wiring_py),
    File(relativePath: "functions_host_worker/proxy.py", bytes: PackageResources.proxy_py),
    File(
      relativePath: "functions_host_worker/streaming.py",
      bytes: PackageResources.streaming_py
    ),
    File(relativePath: "FunctionRpc_pb2.py", bytes: PackageResources.FunctionRpc_pb2_py),
    File(relativePath: "FunctionRpc_pb2_grpc.py", bytes: PackageResources.FunctionRpc_pb2_grpc_py),
    File(
      relativePath: "ClaimsIdentityRpc_pb2.py",
      bytes: PackageResources.ClaimsIdentityRpc_pb2_py
    ),
    File(relativePath: "NullableTypes_pb2.py", bytes: PackageResources.NullableTypes_pb2_py),
  ]

  /// A stable hash (FNV-1a 64, 16 hex digits) of every file's path and contents.
  ///
  /// It names the materialized directory `worker-<contentHash>`, so a new build with a changed
  /// worker never reuses an old copy.
  public static let contentHash: String = {
    var hash = ContentHash()
    for file in files {
      hash.update(field: file.relativePath)
      hash.update(field: file.bytes)
    }
    return hash.hex
  }()

  /// The bundled `requirements.txt` contents.
  public static var requirements: [UInt8] { PackageResources.requirements_txt }
}
