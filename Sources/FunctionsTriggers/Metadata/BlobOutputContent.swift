package import FunctionsRPC

/// A worker's blob output value → the bytes to write (reference §3.3; stock `ConvertValueToStream`).
///
/// | value | content |
/// |---|---|
/// | empty | `nil`: nothing is written |
/// | `bytes` / `stream` | as is |
/// | `string` | UTF-8 |
/// | `json` | compact JSON text (members and numbers as written) |
/// | `int` / `double` | the number as text (e.g. `42`, `1.5`) |
/// | anything else | ``BindingConversionError`` |
///
/// Stock writes `int`/`double` through `BitConverter.GetBytes`, i.e. 8 raw little-endian bytes; we
/// write the text instead, which is what a Python function returning a number means. (The Python
/// blob converter itself only sends `string` and `bytes`; numbers come from generic bindings.)
package enum BlobOutputContent {
  /// The content to write, or `nil` for "write nothing".
  package static func bytes(from value: AzureFunctionsRpcMessages_TypedData) throws(BindingConversionError) -> [UInt8]? {
    switch value.data {
    case nil: return nil
    case .bytes(let d), .stream(let d): return Array(d)
    case .string(let s): return Array(s.utf8)
    case .json(let text):
      do { return Array(try OrderedJSON.parse(text).compactText.utf8) } catch {
        throw BindingConversionError(
          code: .invalidJSON, message: "a blob output got a 'json' value that is not valid JSON (\(error))")
      }
    case .int(let i): return Array(String(i).utf8)
    case .double(let d): return Array(doubleText(d).utf8)
    default:
      throw BindingConversionError(
        code: .unsupportedValue,
        message: "a blob output cannot take a '\(value.data.kindName)' value; return str, bytes or "
          + "a JSON-serializable value")
    }
  }
}
