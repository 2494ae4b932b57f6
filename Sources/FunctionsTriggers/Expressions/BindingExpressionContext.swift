/// What resolving a ``BindingTemplate`` needs besides binding data: where the template comes from,
/// the invocation's `sys` values, and a GUID source for `{rand-guid}`.
///
/// Everything time- or randomness-dependent comes from here, so tests are deterministic.
package struct BindingExpressionContext: Sendable {
  /// The function and binding, for messages.
  package var site: BindingSite
  /// The invocation's `sys` values: `{sys.MethodName}`, `{sys.UtcNow}`, `{sys.RandGuid}`, and the
  /// time of `{DateTime}`.
  package var sys: SystemBindingData
  /// Makes a new lower-case hyphenated GUID for each `{rand-guid}`.
  package var makeGuid: @Sendable () -> String

  /// Creates a context.
  package init(site: BindingSite, sys: SystemBindingData, makeGuid: @escaping @Sendable () -> String) {
    self.site = site
    self.sys = sys
    self.makeGuid = makeGuid
  }
}
