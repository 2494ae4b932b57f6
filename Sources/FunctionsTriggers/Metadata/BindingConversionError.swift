/// A worker's output value that a storage output binding cannot take, e.g. an `http` value for a
/// queue, or JSON text that does not parse.
///
/// ```swift
/// do { messages = try QueueOutputMessages.messages(from: value) }
/// catch let error as BindingConversionError where error.code == .unsupportedValue { … }
/// ```
package struct BindingConversionError: Error, Sendable, CustomStringConvertible {
  /// A stable, comparable error code.
  package struct Code: Hashable, Sendable, CustomStringConvertible {
    private enum Wrapped: String, Hashable, Sendable {
      case unsupportedValue, invalidJSON
    }
    private let wrapped: Wrapped
    private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

    /// The value's kind (`http`, `model_binding_data`, …) cannot be written by this binding.
    package static let unsupportedValue = Code(.unsupportedValue)
    /// A `json` value whose text is not valid JSON.
    package static let invalidJSON = Code(.invalidJSON)

    /// The code's name.
    package var description: String { wrapped.rawValue }
  }

  /// What kind of error this is.
  package var code: Code
  /// A message naming the binding kind and the value kind.
  package var message: String

  /// Creates an error.
  package init(code: Code, message: String) {
    self.code = code
    self.message = message
  }

  /// `code: message`.
  package var description: String { "\(code): \(message)" }
}
