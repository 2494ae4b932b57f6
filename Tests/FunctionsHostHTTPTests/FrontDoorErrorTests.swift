import Foundation
import FunctionsHostCore
import FunctionsRPC
import Hummingbird
import Testing

@testable import FunctionsHostHTTP

@Suite("Error table")
struct FrontDoorErrorTests {
  @Test(arguments: [
    (FunctionsHostError.Code.functionFailed, 500, false), (.functionLoadFailed, 500, false),
    (.internalError, 500, false), (.protocolViolation, 500, false),
    (.functionCancelled, 500, false),
    (.workerUnavailable, 503, true), (.workerExited, 503, true), (.overloaded, 503, true),
    (.shuttingDown, 503, true), (.timeout, 504, false), (.functionNotFound, 404, false),
    (.configuration, 500, false),
  ])
  func statusForCode(code: FunctionsHostError.Code, status: Int, retryAfter: Bool) {
    let error = FrontDoorError(FunctionsHostError(code: code, message: "m"), functionName: "f")
    #expect(error.status.code == status)
    #expect((error.response.headers[.retryAfter] == "1") == retryAfter)
  }

  @Test func jsonBodyNamesInvocationAndOmitsStackTrace() throws {
    var exception = AzureFunctionsRpcMessages_RpcException()
    exception.message = "ValueError: boom \"quoted\""
    exception.stackTrace = "Traceback ..."
    let error = FrontDoorError(
      FunctionsHostError(
        code: .functionFailed,
        message: "function 'f' failed",
        invocationID: "inv-9",
        exception: exception
      ),
      functionName: "f"
    )
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(error.jsonBody.utf8)) as? [String: Any]
    )
    #expect(object["error"] as? String == "function 'f' failed")
    #expect(object["code"] as? String == "functionFailed")
    #expect(object["invocationId"] as? String == "inv-9")
    #expect(object["function"] as? String == "f")
    let exceptionObject = try #require(object["exception"] as? [String: Any])
    #expect(exceptionObject["message"] as? String == "ValueError: boom \"quoted\"")
    #expect(exceptionObject["stackTrace"] == nil)

    var verbose = error
    verbose.includeStackTrace = true
    #expect(verbose.jsonBody.contains("Traceback ..."))
  }
}
