package import FunctionsRPC

/// Splits a worker's queue output value into message bodies (reference §2.2; stock
/// `FunctionBinding.BindAsyncCollectorAsync<byte[]>` + `ReadAsEnumerable`).
///
/// | value | messages |
/// |---|---|
/// | empty | none |
/// | `bytes` / `stream` | one, unchanged |
/// | `string` not looking like JSON (trimmed, `{…}` or `[…]`), or not parsing | one, its UTF-8 text |
/// | `string` holding a JSON **array** | one per element (**stock quirk**: `'[1,2,3]'` returned as a `str` gives three messages; azure-functions-python-worker#1492) |
/// | `string` holding a JSON object | one, the string unchanged |
/// | `json` array | one per element |
/// | `json` object | one (see the `{"id","body"}` rule below) |
/// | `json` scalar | one: a string's raw text, a number or boolean as JSON text; `null` gives none |
/// | `int` / `double` | one, the number's text |
/// | `collection_string` / `collection_bytes` / `collection_sint64` / `collection_double` | one per element |
/// | anything else (`http`, `model_binding_data`, …) | ``BindingConversionError`` |
///
/// Each array element becomes: a string → its raw text; an object → compact JSON (members in the
/// order written; stock writes Newtonsoft's indented form); a number, boolean or nested array → its
/// compact JSON text; `null` → an empty message (stock `JValue.ToString()`).
///
/// **`func.QueueMessage` outputs.** The Python library sends `func.QueueMessage` as `json`
/// `{"id": …, "body": "…"}` (alone or inside an array). A JSON object with exactly the two members
/// `id` and `body`, `body` a string and `id` a string or `null`, is unwrapped to its `body`. The
/// reference marks stock behaviour here UNVERIFIED (the code path reads as enqueuing the whole
/// object), but the Python worker's own e2e test (`test_queue_message_object_return`) expects the
/// trigger to see only the body, so that is what users get. It applies to `json` values only, never
/// to a `string` the function returned.
package enum QueueOutputMessages {
  /// The message bodies to enqueue, in order.
  package static func messages(from value: AzureFunctionsRpcMessages_TypedData) throws(BindingConversionError) -> [[UInt8]] {
    switch value.data {
    case nil:
      return []
    case .bytes(let d), .stream(let d):
      return [Array(d)]
    case .string(let s):
      let trimmed = s.trimmingWhitespace
      if trimmed.hasPrefix("["), trimmed.hasSuffix("]"), let parsed = try? OrderedJSON.parse(String(trimmed)),
        case .array(let items) = parsed
      {
        return items.map { element($0, unwrap: false) }
      }
      return [Array(s.utf8)]
    case .json(let text):
      let parsed: OrderedJSON
      do { parsed = try OrderedJSON.parse(text) } catch {
        throw BindingConversionError(
          code: .invalidJSON, message: "a queue output got a 'json' value that is not valid JSON (\(error))")
      }
      switch parsed {
      case .array(let items): return items.map { element($0, unwrap: true) }
      case .null: return []
      default: return [element(parsed, unwrap: true)]
      }
    case .int(let i):
      return [Array(String(i).utf8)]
    case .double(let d):
      return [Array(doubleText(d).utf8)]
    case .collectionString(let c):
      return c.string.map { Array($0.utf8) }
    case .collectionBytes(let c):
      return c.bytes.map { Array($0) }
    case .collectionSint64(let c):
      return c.sint64.map { Array(String($0).utf8) }
    case .collectionDouble(let c):
      return c.double.map { Array(doubleText($0).utf8) }
    case .http, .modelBindingData, .collectionModelBindingData:
      throw BindingConversionError(
        code: .unsupportedValue,
        message: "a queue output cannot take a '\(value.data.kindName)' value; return str, bytes, "
          + "func.QueueMessage, a JSON-serializable value, or a list of them")
    }
  }

  /// One element's message body.
  static func element(_ value: OrderedJSON, unwrap: Bool) -> [UInt8] {
    switch value {
    case .string(let s): return Array(s.utf8)
    case .null: return []
    case .object(let members):
      if unwrap, let body = queueMessageBody(members) { return Array(body.utf8) }
      return Array(value.compactText.utf8)
    default: return Array(value.compactText.utf8)
    }
  }

  /// The `body` of a `func.QueueMessage` JSON object: exactly `id` (string or null) and `body` (string).
  static func queueMessageBody(_ members: [OrderedJSON.Member]) -> String? {
    guard members.count == 2, Set(members.map(\.key)) == ["id", "body"] else { return nil }
    var body: String?
    for m in members {
      switch (m.key, m.value) {
      case ("body", .string(let s)): body = s
      case ("id", .string), ("id", .null): continue
      default: return nil
      }
    }
    return body
  }
}
