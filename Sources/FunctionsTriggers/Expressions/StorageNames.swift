/// Queue and container names as the stock host normalizes and checks them.
///
/// Queue names (`QueueTriggerAttributeBindingProvider.NormalizeAndValidate`): `%AppSetting%`
/// resolved, lower-cased, then checked. Container names are checked as written (not lower-cased).
/// The rules, for both: 3–63 characters; lower-case letters, digits and `-`; starting with a letter
/// or digit; not ending with `-`; no `--`. Containers may also be `$root`, `$logs` or `$web`.
///
/// ```swift
/// try StorageNames.queueName("%QueueName%", appSettings: ["QueueName": "Orders"], site: site)  // "orders"
/// ```
package enum StorageNames {
  /// A queue trigger's `queueName`: settings resolved, lower-cased, validated.
  package static func queueName(
    _ source: String, appSettings: [String: String], site: BindingSite
  ) throws(BindingExpressionError) -> String {
    let resolved = try AppSettingResolver.resolve(source, settings: appSettings, site: site)
    return try normalizedQueueName(resolved, site: site)
  }

  /// A queue trigger's or output's `queueName` (`nil` when the property is missing); errors name
  /// `function` and `binding`.
  package static func queueName(
    _ source: String?, settings: [String: String], function: String, binding: String
  ) throws(BindingExpressionError) -> String {
    let site = BindingSite(functionName: function, bindingName: binding, property: "queueName")
    guard let source, !source.isEmpty else {
      throw site.error(.invalidName, "the 'queueName' property is missing or empty")
    }
    return try queueName(source, appSettings: settings, site: site)
  }

  /// A queue name already resolved (e.g. an output's `queueName` template after resolution):
  /// lower-cased and validated.
  package static func normalizedQueueName(_ name: String, site: BindingSite) throws(BindingExpressionError) -> String {
    let lowered = name.lowercased()
    if let why = violation(lowered) {
      throw site.error(.invalidName, "invalid queue name '\(name)': \(why)")
    }
    return lowered
  }

  /// Checks a container name.
  package static func validateContainerName(_ name: String, site: BindingSite) throws(BindingExpressionError) {
    if ["$root", "$logs", "$web"].contains(name) { return }
    if let why = violation(name) {
      throw site.error(.invalidName, "invalid container name '\(name)': \(why)")
    }
  }

  /// Why `name` breaks the rules, or `nil` when it is valid.
  package static func violation(_ name: String) -> String? {
    let scalars = Array(name.unicodeScalars)
    guard (3...63).contains(scalars.count) else {
      return "it must be 3 to 63 characters long (it has \(scalars.count))"
    }
    func isAllowed(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("0"..."9").contains(c) || c == "-" }
    if let bad = scalars.first(where: { !isAllowed($0) }) {
      return "'\(bad)' is not allowed; use lower-case letters, digits and '-'"
    }
    if scalars.first == "-" { return "it must start with a letter or digit" }
    if scalars.last == "-" { return "it must not end with '-'" }
    if name.contains("--") { return "it must not contain '--'" }
    return nil
  }
}
