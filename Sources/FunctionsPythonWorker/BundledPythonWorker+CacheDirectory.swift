#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

extension BundledPythonWorker {
  /// The default cache directory for the worker files and managed virtual environments.
  ///
  /// `$XDG_CACHE_HOME/functions-host` when `XDG_CACHE_HOME` is an absolute path, else
  /// `$HOME/.cache/functions-host`, else `/tmp/functions-host-<uid>`. The caller passes the
  /// environment; this library never reads the process environment itself.
  ///
  /// ```swift
  /// BundledPythonWorker.defaultCacheDirectory(environment: ["HOME": "/home/ada"])
  /// // "/home/ada/.cache/functions-host"
  /// ```
  ///
  /// - Parameter environment: The environment variables to consult (usually the process's).
  /// - Returns: An absolute directory path; it may not exist yet.
  public static func defaultCacheDirectory(environment: [String: String]) -> String {
    if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
      return LocalFiles.join(xdg, "functions-host")
    }
    if let home = environment["HOME"], home.hasPrefix("/") {
      return LocalFiles.join(home, ".cache", "functions-host")
    }
    return "/tmp/functions-host-\(getuid())"
  }
}
