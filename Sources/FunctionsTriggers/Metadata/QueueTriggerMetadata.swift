package import Foundation
package import FunctionsRPC
package import FunctionsStorage
internal import FunctionsHostCore

/// The binding data of a queue-triggered invocation, with the stock keys and wire kinds
/// (reference §1.4; NET `QueueTriggerBinding.CreateBindingData`):
///
/// | key | wire | value |
/// |---|---|---|
/// | `QueueTrigger` | string | the decoded body as UTF-8 (left out when it is not valid UTF-8) |
/// | `DequeueCount` | json | e.g. `1` |
/// | `ExpirationTime`, `InsertionTime`, `NextVisibleTime` | json | a JSON string in ``WireDate`` form |
/// | `Id`, `PopReceipt` | string | |
/// | `sys` | json | ``SystemBindingData`` |
/// | JSON body properties | string / json | ``JSONBodyBindingData`` (not for `dataType: binary`) |
///
/// ```swift
/// let data = QueueTriggerMetadata.make(
///   message: message, decodedBody: body, methodName: "QueueTrigger", now: now, randGuid: guid)
/// request.triggerMetadata = data.triggerMetadata
/// ```
package enum QueueTriggerMetadata {
  /// Builds the metadata of one message.
  ///
  /// - Parameters:
  ///   - message: the message as received (its `body` is not used; pass the decoded one).
  ///   - decodedBody: the body after `messageEncoding` (base64 removed when it applies).
  ///   - dataType: the trigger binding's `dataType`; with `binary` (or `stream`) the trigger value is
  ///     bytes, and the stock host adds no JSON body properties for a non-string value.
  ///   - sys: the invocation's ``SystemBindingData``.
  package static func make(
    message: QueueMessage, decodedBody: [UInt8], dataType: String? = nil, sys: SystemBindingData
  ) -> TriggerBindingData {
    var data = TriggerBindingData()
    if let text = String(validating: decodedBody, as: UTF8.self) {
      data.set("QueueTrigger", .string(text))
    }
    data.set("DequeueCount", .json(.number(Double(message.dequeueCount))))
    data.set("ExpirationTime", .json(.string(WireDate.string(from: message.expirationTime))))
    data.set("Id", .string(message.id))
    data.set("InsertionTime", .json(.string(WireDate.string(from: message.insertionTime))))
    data.set("NextVisibleTime", .json(.string(WireDate.string(from: message.nextVisibleTime))))
    if let receipt = message.popReceipt {
      data.set("PopReceipt", .string(receipt))
    }
    data.setSystem(sys)
    if !QueueTriggerInput.isBinary(dataType) {
      data.applyJSONBody(QueueTriggerInput.text(of: decodedBody))
    }
    return data
  }

  /// Builds the metadata of one message, making the `sys` entry from its parts.
  package static func make(
    message: QueueMessage, decodedBody: [UInt8], methodName: String, now: Date, randGuid: String,
    dataType: String? = nil
  ) -> TriggerBindingData {
    make(
      message: message, decodedBody: decodedBody, dataType: dataType,
      sys: SystemBindingData(methodName: methodName, utcNow: now, randGuid: randGuid))
  }
}

/// The queue trigger's `input_data` value (reference §1.5).
package enum QueueTriggerInput {
  /// `bytes` for `dataType: binary` (or `stream`), otherwise `string`: the decoded body as UTF-8 with
  /// invalid sequences replaced by U+FFFD (as .NET's `ToValidUTF8String`).
  package static func typedData(decodedBody: [UInt8], dataType: String?) -> AzureFunctionsRpcMessages_TypedData {
    var data = AzureFunctionsRpcMessages_TypedData()
    if isBinary(dataType) {
      data.bytes = Data(decodedBody)
    } else {
      data.string = text(of: decodedBody)
    }
    return data
  }

  /// Whether a binding's `dataType` asks for bytes (`binary` or `stream`, any case).
  package static func isBinary(_ dataType: String?) -> Bool {
    guard let t = dataType?.lowercased() else { return false }
    return t == "binary" || t == "stream"
  }

  /// UTF-8 text of `bytes`, invalid sequences replaced by U+FFFD.
  package static func text(of bytes: [UInt8]) -> String {
    String(decoding: bytes, as: UTF8.self)
  }
}
