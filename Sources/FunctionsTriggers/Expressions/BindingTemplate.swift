/// A binding property with `{expressions}`, e.g. a blob `path` of `out/{queueTrigger}-{rand-guid}.txt`,
/// parsed once and resolved per invocation.
///
/// Grammar (stock `BindingTemplateParser` / `BindingTemplateToken`):
/// - `{{` and `}}` are a literal `{` and `}`; any other `{` must close with `}` on the same token and
///   a lone `}` is an error.
/// - `{expr}`: `expr` is `name` or a dotted path `a.b.c` (the first part an identifier: a letter or
///   `_`, then letters, digits or `_`; later parts any non-empty text without `.`), optionally
///   followed by `:format`.
/// - The built-ins `{rand-guid}`, `{rand-guid:N}`, `{DateTime}`, `{DateTime:yyyy-MM-dd}` (names
///   ignore case); `{sys.MethodName}`, `{sys.UtcNow}`, `{sys.RandGuid}`.
/// - `%AppSetting%` references are resolved first, over the whole text, by
///   ``parse(_:appSettings:site:)`` (so a setting's value may itself contain `{expressions}`).
///
/// ```swift
/// let template = try BindingTemplate.parse("samples/{id}", appSettings: settings, site: site)
/// let path = try template.resolve(bindingData, context: context)  // "samples/42"
/// ```
package struct BindingTemplate: Sendable, Hashable {
  /// One piece of a template.
  package enum Token: Sendable, Hashable {
    /// Literal text (with `{{`/`}}` already unescaped).
    case literal(String)
    /// An `{expression}`.
    case expression(BindingExpression)
  }

  /// The text as written in the binding, before `%AppSetting%` resolution (for messages).
  package let source: String
  /// The text after `%AppSetting%` resolution.
  package let text: String
  /// The tokens of ``text``, adjacent literals merged.
  package let tokens: [Token]
  /// Where the template comes from.
  package let site: BindingSite

  /// Parses `source` after resolving its `%AppSetting%` references.
  package static func parse(
    _ source: String, appSettings: [String: String], site: BindingSite
  ) throws(BindingExpressionError) -> BindingTemplate {
    let text = try AppSettingResolver.resolve(source, settings: appSettings, site: site)
    return BindingTemplate(source: source, text: text, tokens: try tokenize(text, source: source, site: site), site: site)
  }

  /// Parses text whose `%AppSetting%` references were already resolved (`source` is the text as
  /// written, for messages).
  package static func parse(
    resolved text: String, source: String, site: BindingSite
  ) throws(BindingExpressionError) -> BindingTemplate {
    BindingTemplate(source: source, text: text, tokens: try tokenize(text, source: source, site: site), site: site)
  }

  private init(source: String, text: String, tokens: [Token], site: BindingSite) {
    self.source = source
    self.text = text
    self.tokens = tokens
    self.site = site
  }

  /// Whether the template has no `{expressions}` (its value is fixed).
  package var isLiteral: Bool {
    tokens.allSatisfy { if case .literal = $0 { true } else { false } }
  }

  /// The expressions, in order.
  package var expressions: [BindingExpression] {
    tokens.compactMap { if case .expression(let e) = $0 { e } else { nil } }
  }

  /// Splits `text` into literal and expression tokens.
  static func tokenize(_ text: String, source: String, site: BindingSite) throws(BindingExpressionError) -> [Token] {
    let chars = Array(text)
    var tokens: [Token] = []
    var literal = ""
    var i = 0
    func flush() {
      if !literal.isEmpty { tokens.append(.literal(literal)) }
      literal = ""
    }
    while i < chars.count {
      let c = chars[i]
      if c == "{", i + 1 < chars.count, chars[i + 1] == "{" {
        literal.append("{")
        i += 2
      } else if c == "}", i + 1 < chars.count, chars[i + 1] == "}" {
        literal.append("}")
        i += 2
      } else if c == "{" {
        var j = i + 1
        while j < chars.count, chars[j] != "}", chars[j] != "{" { j += 1 }
        guard j < chars.count, chars[j] == "}" else {
          throw site.error(
            .invalidTemplate, "missing closing bracket for the '{' at position \(i + 1) in \(site.property) '\(source)'")
        }
        flush()
        tokens.append(.expression(try BindingExpression.parse(String(chars[(i + 1)..<j]), source: source, site: site)))
        i = j + 1
      } else if c == "}" {
        throw site.error(
          .invalidTemplate, "missing opening bracket for the '}' at position \(i + 1) in \(site.property) '\(source)'")
      } else {
        literal.append(c)
        i += 1
      }
    }
    flush()
    return tokens
  }
}

/// One `{expression}` of a ``BindingTemplate``.
package struct BindingExpression: Sendable, Hashable {
  /// A built-in expression, used when the binding data has no entry of that name.
  package enum Builtin: Sendable, Hashable {
    /// `{rand-guid}`: a new GUID on every resolution.
    case randGuid
    /// `{DateTime}`: the invocation's UTC time.
    case dateTime
  }

  /// The text between the braces, as written.
  package var text: String
  /// The dotted path, e.g. `["Query", "name"]`; one part for a plain name.
  package var path: [String]
  /// The `:format` part, if any.
  package var format: String?
  /// The built-in this expression names, if any.
  package var builtin: Builtin?

  /// The first part of the path, e.g. `Query` for `{Query.name}`.
  package var name: String { path[0] }

  /// Parses the text between braces.
  static func parse(_ text: String, source: String, site: BindingSite) throws(BindingExpressionError) -> BindingExpression {
    func invalid(_ why: String) -> BindingExpressionError {
      site.error(.invalidTemplate, "invalid expression '{\(text)}' in \(site.property) '\(source)': \(why)")
    }
    guard !text.isEmpty else { throw invalid("the name is empty") }
    var body = text
    var format: String?
    if let colon = text.firstIndex(of: ":"), colon != text.startIndex {
      body = String(text[..<colon])
      format = String(text[text.index(after: colon)...])
    }
    let lowered = body.lowercased()
    if lowered == "rand-guid" { return BindingExpression(text: text, path: [body], format: format, builtin: .randGuid) }
    if lowered == "datetime" { return BindingExpression(text: text, path: [body], format: format, builtin: .dateTime) }
    let parts = body.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    guard parts.allSatisfy({ !$0.isEmpty && !$0.allSatisfy(\.isWhitespace) }) else {
      throw invalid("a part of the dotted name is empty")
    }
    guard isIdentifier(parts[0]) else {
      throw invalid("'\(parts[0])' is not a valid name (a letter or '_', then letters, digits or '_')")
    }
    return BindingExpression(text: text, path: parts, format: format, builtin: nil)
  }

  /// Whether `s` is an identifier: a letter or `_`, then letters, digits or `_`.
  static func isIdentifier(_ s: String) -> Bool {
    guard let first = s.first, first.isLetter || first == "_" else { return false }
    return s.dropFirst().allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
  }
}
