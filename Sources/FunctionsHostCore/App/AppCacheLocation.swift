public import Foundation

/// Where the host keeps an app's own files outside the app (its keys, its store): one file per app in a
/// folder of the cache directory, named after the app folder and a hash of its path, so that two apps
/// never share one and the script root (what gets zipped and published) holds none of them.
public enum AppCacheLocation {
  /// `<cacheDirectory>/<folder>/<app folder name>-<16 hex digits>.<fileExtension>`, where the hex digits
  /// hash the script root's absolute, standardized path (FNV-1a, 64 bits).
  ///
  /// ```swift
  /// AppCacheLocation.path(scriptRoot: "/srv/shop", cacheDirectory: "/home/ada/.cache/fh", folder: "storage",
  ///                       fileExtension: "sqlite")
  /// // "/home/ada/.cache/fh/storage/shop-<hash>.sqlite"
  /// ```
  public static func path(scriptRoot: String, cacheDirectory: String, folder: String, fileExtension: String) -> String {
    let root = URL(fileURLWithPath: scriptRoot).standardizedFileURL.path
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in root.utf8 {
      hash ^= UInt64(byte)
      hash &*= 0x0000_0100_0000_01b3
    }
    let hex = String(hash, radix: 16)
    let digits = String(repeating: "0", count: 16 - hex.count) + hex
    var name = String(
      URL(fileURLWithPath: root).lastPathComponent.unicodeScalars.map { scalar -> Character in
        scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-"
          || scalar == "_" ? Character(scalar) : "_"
      }
    )
    if name.isEmpty || name == "_" { name = "app" }
    return URL(fileURLWithPath: cacheDirectory)
      .appendingPathComponent(folder)
      .appendingPathComponent("\(name)-\(digits).\(fileExtension)").path
  }
}
