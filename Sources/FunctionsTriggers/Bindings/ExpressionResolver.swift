internal import Foundation
internal import FunctionsHostCore

/// Resolves the binding expressions of one invocation: its binding data (trigger metadata, route
/// parameters, query, JSON body properties), and `sys` values fixed for the whole invocation.
struct ExpressionResolver: Sendable {
  /// The function, for error messages.
  let function: String
  let bindingData: [String: BindingDataValue]
  let sys: SystemBindingData

  init(function: String, bindingData: [String: BindingDataValue], now: Date = Date()) {
    self.function = function
    self.bindingData = bindingData
    // The invocation's own sys values (as the worker was sent them) when its trigger carries them.
    self.sys =
      SystemBindingData(from: bindingData["sys"])
      ?? SystemBindingData(methodName: function, utcNow: now, randGuid: UUID().uuidString.lowercased())
  }

  /// The text of `template` for this invocation.
  ///
  /// - Throws: ``FunctionsHostError`` `.bindingFailed` naming the function, binding and expression.
  func resolve(_ template: BindingTemplate) throws -> String {
    do {
      return try template.resolve(
        bindingData,
        context: BindingExpressionContext(site: template.site, sys: sys, makeGuid: { UUID().uuidString.lowercased() }))
    } catch {
      throw FunctionsHostError(code: .bindingFailed, message: error.message, cause: error)
    }
  }

  /// The container and blob name of `path` for this invocation.
  func resolve(_ path: BlobPath) throws -> (container: String, name: String) {
    let name = try resolve(path.blobName)
    guard !name.isEmpty else {
      throw FunctionsHostError(
        code: .bindingFailed,
        message: "\(path.blobName.site.prefix): the blob name of '\(path.blobName.source)' resolved to nothing")
    }
    return (path.container, name)
  }
}
