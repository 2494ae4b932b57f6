import Foundation
import FunctionsRPC
import FunctionsStorage
import FunctionsTriggers

/// Fixed values for metadata tests.
enum Fixture {
  static let inserted = Date(timeIntervalSince1970: 1_570_643_911)  // 2019-10-09T17:58:31Z
  static let now = Date(timeIntervalSince1970: 1_570_643_912.25)  // 2019-10-09T17:58:32.25Z
  static let guid = "24ad4c06-7ab4-4ba2-8c8c-0a4e7f1d2c3b"
  static let sys = SystemBindingData(methodName: "QueueTrigger", utcNow: now, randGuid: guid)
  static let sysJSON =
    #"{"MethodName":"QueueTrigger","UtcNow":"2019-10-09T17:58:32.250000+00:00","RandGuid":"24ad4c06-7ab4-4ba2-8c8c-0a4e7f1d2c3b"}"#

  static func message(body: String = "hello", dequeueCount: Int = 1, expiration: Date? = nil) -> QueueMessage {
    QueueMessage(
      id: "800ae4b3-bdc5-4ef2-9a44-3e5d1b1a2f00", queue: "orders", body: Array(body.utf8), insertionTime: inserted,
      expirationTime: expiration ?? inserted.addingTimeInterval(7 * 86_400),
      nextVisibleTime: inserted.addingTimeInterval(600), dequeueCount: dequeueCount,
      popReceipt: "AgAAAAMAAAAAAAAAAgtnj8x+1QE=")
  }
}

extension AzureFunctionsRpcMessages_TypedData {
  static func string(_ s: String) -> Self { var t = Self(); t.string = s; return t }
  static func json(_ s: String) -> Self { var t = Self(); t.json = s; return t }
  static func bytes(_ b: [UInt8]) -> Self { var t = Self(); t.bytes = Data(b); return t }
  static func int(_ i: Int64) -> Self { var t = Self(); t.int = i; return t }
  static func double(_ d: Double) -> Self { var t = Self(); t.double = d; return t }
}
