/// A blob binding `path` split into its container and blob-name parts (stock `BlobPath`,
/// `BlobPathSource.ParseAndValidate`).
///
/// The split is at the first `/`; both parts must be non-empty. `%AppSetting%` references are resolved
/// first. The container part may not contain `{…}` (stock: "Container paths cannot contain {resolve}
/// tokens"); the blob part may, and is kept as a ``BindingTemplate``.
///
/// ```swift
/// let path = try BlobPath.parse("out/{queueTrigger}-{rand-guid}.txt", appSettings: [:], site: site)
/// path.container                                          // "out"
/// try path.blobName.resolve(bindingData, context: context)  // "hello-3f0c….txt"
/// ```
package struct BlobPath: Sendable, Hashable {
  /// The container name (validated).
  package let container: String
  /// The blob name template.
  package let blobName: BindingTemplate

  /// Parses a blob input/output binding's `path`.
  package static func parse(
    _ source: String, appSettings: [String: String], site: BindingSite
  ) throws(BindingExpressionError) -> BlobPath {
    let (container, rest) = try split(source, appSettings: appSettings, site: site)
    let name = try BindingTemplate.parse(resolved: rest, source: source, site: site)
    return BlobPath(container: container, blobName: name)
  }

  /// The resolved container and the blob-name text (not yet parsed), after `%AppSetting%`
  /// resolution and the checks shared with ``BlobPathPattern``.
  static func split(
    _ source: String, appSettings: [String: String], site: BindingSite
  ) throws(BindingExpressionError) -> (container: String, blob: String) {
    let text = try AppSettingResolver.resolve(source, settings: appSettings, site: site)
    guard let slash = text.firstIndex(of: "/"), slash != text.startIndex, text.index(after: slash) != text.endIndex
    else {
      throw site.error(
        .invalidPath,
        "invalid blob \(site.property) '\(source)': it must be 'container/blob' with both parts non-empty")
    }
    let container = String(text[..<slash])
    if container.contains("{") || container.contains("}") {
      throw site.error(
        .invalidPath,
        "invalid blob \(site.property) '\(source)': container paths cannot contain {resolve} tokens "
          + "(only the blob name can use expressions)")
    }
    try StorageNames.validateContainerName(container, site: site)
    return (container, String(text[text.index(after: slash)...]))
  }
}
