internal import FunctionsHostCore

/// Builds compact JSON object text with the members in the order they are added.
///
/// `JSONValue.jsonText` sorts object keys; the payloads the stock host sends (`TimerInfo`, `sys`,
/// blob `Properties`) have a fixed member order, so those are written with this instead.
struct JSONObjectText {
  private var members: [String] = []

  /// An empty object.
  init() {}

  /// Adds a member whose value is already JSON text.
  mutating func add(_ key: String, json: String) {
    members.append(JSONValue.quote(key) + ":" + json)
  }

  /// Adds a string member, or `null` when `value` is nil.
  mutating func add(_ key: String, string value: String?) {
    add(key, json: value.map(JSONValue.quote) ?? "null")
  }

  /// Adds an integer member.
  mutating func add(_ key: String, int value: Int64) {
    add(key, json: String(value))
  }

  /// Adds a boolean member.
  mutating func add(_ key: String, bool value: Bool) {
    add(key, json: value ? "true" : "false")
  }

  /// Adds an object member of strings, keys sorted (for user metadata dictionaries).
  mutating func add(_ key: String, strings: [String: String]) {
    var inner = JSONObjectText()
    for k in strings.keys.sorted() { inner.add(k, string: strings[k]) }
    add(key, json: inner.text)
  }

  /// The compact JSON text, e.g. `{"a":1,"b":"x"}`.
  var text: String { "{" + members.joined(separator: ",") + "}" }
}
