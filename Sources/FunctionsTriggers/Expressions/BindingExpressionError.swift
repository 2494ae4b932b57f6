/// A binding expression, path or name that cannot be parsed or resolved. The message names the
/// function, the binding, the property and the text concerned.
///
/// ```swift
/// do { path = try template.resolve(bindingData, context: context) }
/// catch let error as BindingExpressionError where error.code == .missingValue { … }
/// // error.message: "function 'f', binding 'outputBlob': no value for '{id}' in path 'samples/{id}' (known: Id, QueueTrigger, sys)"
/// ```
package struct BindingExpressionError: Error, Sendable, CustomStringConvertible {
  /// A stable, comparable error code.
  package struct Code: Hashable, Sendable, CustomStringConvertible {
    private enum Wrapped: String, Hashable, Sendable {
      case invalidTemplate, unknownAppSetting, missingValue, unusableValue, invalidPath, invalidName
    }
    private let wrapped: Wrapped
    private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

    /// Unbalanced braces, an empty or malformed `{expression}`, or an unsupported format.
    package static let invalidTemplate = Code(.invalidTemplate)
    /// A `%name%` that names no app setting, or a `%` without its closing `%`.
    package static let unknownAppSetting = Code(.unknownAppSetting)
    /// An `{expression}` with no value in the binding data and no built-in of that name.
    package static let missingValue = Code(.missingValue)
    /// An `{expression}` whose value is a JSON object or array, which cannot go into a path.
    package static let unusableValue = Code(.unusableValue)
    /// A blob path that is not `container/pattern`, or whose container part has `{…}`.
    package static let invalidPath = Code(.invalidPath)
    /// A queue or container name that breaks Azure's naming rules.
    package static let invalidName = Code(.invalidName)

    /// The code's name, e.g. `missingValue`.
    package var description: String { wrapped.rawValue }
  }

  /// What kind of error this is.
  package var code: Code
  /// A message naming the function, binding, property and text concerned.
  package var message: String

  /// Creates an error.
  package init(code: Code, message: String) {
    self.code = code
    self.message = message
  }

  /// `code: message`.
  package var description: String { "\(code): \(message)" }
}

/// Where a template or name comes from, for error messages: a function, one of its bindings, and
/// the binding property (`path`, `queueName`, `connection`, …).
package struct BindingSite: Sendable, Hashable {
  /// The function's name.
  package var functionName: String
  /// The binding's name (`name` in function.json, e.g. `outputBlob` or `$return`).
  package var bindingName: String
  /// The property holding the text, e.g. `path` or `queueName`.
  package var property: String

  /// Creates a site.
  package init(functionName: String, bindingName: String, property: String = "path") {
    self.functionName = functionName
    self.bindingName = bindingName
    self.property = property
  }

  /// `function 'f', binding 'b'`.
  package var prefix: String { "function '\(functionName)', binding '\(bindingName)'" }

  /// An error whose message is prefixed with this site.
  func error(_ code: BindingExpressionError.Code, _ message: String) -> BindingExpressionError {
    BindingExpressionError(code: code, message: prefix + ": " + message)
  }
}
