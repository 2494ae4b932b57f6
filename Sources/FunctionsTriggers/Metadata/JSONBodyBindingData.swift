internal import Foundation

/// The stock host's `Utility.ApplyBindingData`: binding data taken from a string trigger value that
/// is a JSON object.
///
/// The rule, as the stock host applies it to every string trigger value (queue bodies included):
/// - the text, trimmed, must start with `{` and end with `}` (or `[`/`]`, but an array adds nothing)
///   and parse as JSON; otherwise nothing is added and nothing fails;
/// - each top-level property adds an entry: a nested object as JSON, `null` and arrays are skipped,
///   anything else as a **string** (.NET's `(string)JToken`: numbers as their text, booleans as
///   `True`/`False`);
/// - the entries **overwrite** existing binding data, and the dictionary ignores case, so a body
///   `{"id":"x"}` replaces the queue trigger's `Id` (the key keeps its spelling `Id`). This is a known,
///   still-open stock quirk (azure-functions-python-worker#1373, azure-webjobs-sdk-extensions#882),
///   kept on purpose so apps see what they see on Azure.
///
/// Differences from stock, on purpose: date-looking strings stay as written (Newtonsoft would turn
/// them into culture-formatted dates); numbers keep their literal text (`1.50` stays `1.50` where
/// .NET would write `1.5`).
package enum JSONBodyBindingData {
  /// One entry to apply: the binding-data value and, for objects, the wire JSON text (members in
  /// document order).
  package struct Entry: Sendable, Hashable {
    /// The property name as written in the body.
    package var key: String
    /// The binding-data value.
    package var value: BindingDataValue
    /// The compact JSON text to send for an object (`nil` for strings).
    package var wireJSON: String?
  }

  /// The entries a string trigger value adds, in document order (apply them in this order).
  package static func properties(of text: String) -> [Entry] {
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    guard trimmed.hasPrefix("{"), trimmed.hasSuffix("}"),
      let parsed = try? OrderedJSON.parse(trimmed),
      case .object(let members) = parsed
    else { return [] }
    var out: [Entry] = []
    for member in members {
      switch member.value {
      case .null, .array: continue
      case .object:
        out.append(Entry(key: member.key, value: .json(member.value.jsonValue), wireJSON: member.value.compactText))
      case .string(let s): out.append(Entry(key: member.key, value: .string(s)))
      case .bool(let b): out.append(Entry(key: member.key, value: .string(b ? "True" : "False")))
      case .number(let n): out.append(Entry(key: member.key, value: .string(n)))
      }
    }
    return out
  }
}
