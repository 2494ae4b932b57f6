/// Resolves `%AppSetting%` references, the first step for every binding property the stock host
/// auto-resolves (`path`, `queueName`, `schedule`, …; stock `INameResolver.ResolveWholeString`).
///
/// Each `%name%` is replaced by the setting's value (looked up exactly, then ignoring case, as the
/// stock configuration does). A `%` without a closing `%`, an empty name (`%%`) and an unknown
/// setting are errors. Replacement is not recursive: a value containing `%` is kept as is.
///
/// ```swift
/// try AppSettingResolver.resolve("%container%/{name}", settings: ["container": "samples"], site: site)
/// // "samples/{name}"
/// ```
package enum AppSettingResolver {
  /// `text` with every `%name%` replaced.
  package static func resolve(
    _ text: String, settings: [String: String], site: BindingSite
  ) throws(BindingExpressionError) -> String {
    guard text.contains("%") else { return text }
    var out = ""
    var rest = Substring(text)
    while let start = rest.firstIndex(of: "%") {
      out += rest[..<start]
      let afterStart = rest.index(after: start)
      guard let end = rest[afterStart...].firstIndex(of: "%") else {
        throw site.error(
          .unknownAppSetting,
          "the '%' at position \(text.distance(from: text.startIndex, to: start) + 1) in \(site.property) "
            + "'\(text)' has no closing '%'")
      }
      let name = String(rest[afterStart..<end])
      guard !name.isEmpty else {
        throw site.error(.unknownAppSetting, "empty app setting name '%%' in \(site.property) '\(text)'")
      }
      guard let value = lookup(name, in: settings) else {
        throw site.error(
          .unknownAppSetting,
          "app setting '\(name)' (from '%\(name)%' in \(site.property) '\(text)') is not set")
      }
      out += value
      rest = rest[rest.index(after: end)...]
    }
    return out + rest
  }

  /// `text` with every `%name%` replaced; errors name `function` and `binding`.
  package static func resolve(
    _ text: String, settings: [String: String], function: String, binding: String, property: String = "path"
  ) throws(BindingExpressionError) -> String {
    try resolve(text, settings: settings, site: BindingSite(functionName: function, bindingName: binding, property: property))
  }

  /// A setting's value, matched exactly first and then ignoring case.
  static func lookup(_ name: String, in settings: [String: String]) -> String? {
    if let v = settings[name] { return v }
    let lower = name.lowercased()
    return settings.first { $0.key.lowercased() == lower }?.value
  }
}
