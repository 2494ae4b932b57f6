package import Foundation
internal import FunctionsHostCore

/// The `sys` entry every invocation's binding data carries (stock `SystemBindingData`):
/// `{"MethodName":…,"UtcNow":…,"RandGuid":…}`.
///
/// The same values answer the `{sys.MethodName}`, `{sys.UtcNow}` and `{sys.RandGuid}` binding
/// expressions, so one value is made per invocation and shared by the metadata and the expressions.
package struct SystemBindingData: Sendable, Hashable {
  /// The function's name (stock: the method name, which for worker functions is the function name).
  package var methodName: String
  /// The invocation's time.
  package var utcNow: Date
  /// A GUID made once per invocation (lower-case, hyphenated).
  package var randGuid: String

  /// Creates the `sys` values.
  package init(methodName: String, utcNow: Date, randGuid: String) {
    self.methodName = methodName
    self.utcNow = utcNow
    self.randGuid = randGuid
  }

  /// The JSON text sent as `trigger_metadata["sys"]`, members in stock order, the date in
  /// ``WireDate`` form.
  package var jsonText: String {
    var o = JSONObjectText()
    o.add("MethodName", string: methodName)
    o.add("UtcNow", string: WireDate.string(from: utcNow))
    o.add("RandGuid", string: randGuid)
    return o.text
  }

  /// The binding-data form (a JSON object).
  package var bindingDataValue: BindingDataValue {
    .json(.object([
      "MethodName": .string(methodName),
      "UtcNow": .string(WireDate.string(from: utcNow)),
      "RandGuid": .string(randGuid),
    ]))
  }
}

extension SystemBindingData {
  /// The `sys` values read back from a binding-data `sys` object (as ``bindingDataValue`` writes it,
  /// or as parsed from the `sys` trigger metadata), or `nil` when it is missing or incomplete.
  package init?(from value: BindingDataValue?) {
    guard case .json(.object(let o))? = value,
      let method = o["MethodName"]?.stringValue,
      let now = o["UtcNow"]?.stringValue.flatMap(WireDate.date(from:)),
      let guid = o["RandGuid"]?.stringValue
    else { return nil }
    self.init(methodName: method, utcNow: now, randGuid: guid)
  }
}
