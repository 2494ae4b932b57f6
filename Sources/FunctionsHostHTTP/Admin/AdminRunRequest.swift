internal import Foundation

/// The body of `POST /admin/functions/<name>`: `{"input": "<text>"}` (an empty body or a missing
/// `input` means an empty input, as the stock host takes it).
enum AdminRunRequest {
  struct Problem: Error {
    var message: String
  }

  static func input(from body: Data) throws(Problem) -> String {
    if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return "" }
    guard let object = try? JSONSerialization.jsonObject(with: body), let fields = object as? [String: Any] else {
      throw Problem(message: #"the body is not a JSON object; expected {"input": "<text>"}"#)
    }
    guard let value = fields["input"] else { return "" }
    if value is NSNull { return "" }
    guard let text = value as? String else {
      throw Problem(message: #"field 'input' is not a string; expected {"input": "<text>"} (put JSON in a string)"#)
    }
    return text
  }
}
