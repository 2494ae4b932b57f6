import Foundation
import FunctionsHostCore
import FunctionsRPC
import Testing

@testable import FunctionsHosting

@Suite struct FunctionValueTests {
  struct Order: Codable, Equatable {
    var id: String
    var total: Double
  }

  @Test func codableRoundTrip() throws {
    let value = try FunctionValue(json: Order(id: "42", total: 3.5))
    guard case .json(let text) = value else { Issue.record("not JSON: \(value)"); return }
    #expect(text.contains("\"id\":\"42\""))
    #expect(try value.decode(Order.self) == Order(id: "42", total: 3.5))
    #expect(try FunctionValue.text(#"{"id":"7","total":1}"#).decode(Order.self) == Order(id: "7", total: 1))
  }

  @Test(arguments: [FunctionValue.text("héllo"), .bytes([0, 1, 255]), .json(#"{"a":1}"#)])
  func wireRoundTrip(value: FunctionValue) {
    #expect(FunctionValue(value.typedData) == value)
  }

  @Test func textAndBytesViews() {
    #expect(FunctionValue.bytes(Array("abc".utf8)).text == "abc")
    #expect(FunctionValue.bytes([0xff, 0xfe]).text == nil)
    #expect(FunctionValue.text("abc").bytes == Array("abc".utf8))
    #expect(FunctionValue.bytes([0xff]).description == "<1 bytes>")
    let literal: FunctionValue = "hi"
    #expect(literal == .text("hi"))
  }

  @Test func wireKindsWithoutAPlainCounterpart() {
    var data = AzureFunctionsRpcMessages_TypedData()
    #expect(FunctionValue(data) == nil)
    data.int = 42
    #expect(FunctionValue(data) == .json("42"))
    data.double = 1.5
    #expect(FunctionValue(data) == .json("1.5"))
    var strings = AzureFunctionsRpcMessages_CollectionString()
    strings.string = ["a", "b\"c"]
    data.collectionString = strings
    #expect(FunctionValue(data) == .json(#"["a","b\"c"]"#))
    var http = AzureFunctionsRpcMessages_RpcHttp()
    http.body.string = "body"
    data.http = http
    #expect(FunctionValue(data) == .text("body"))
  }

  @Test func resultOfAnInvocation() {
    var returned = AzureFunctionsRpcMessages_TypedData()
    returned.string = "done"
    var out = AzureFunctionsRpcMessages_TypedData()
    out.json = "[1]"
    let output = InvocationOutput(invocationID: "inv-1", returnValue: returned, outputData: ["msg": out, "empty": .init()])
    let result = FunctionValue.result(of: output)
    #expect(result.invocationID == "inv-1")
    #expect(result.returnValue == .text("done"))
    #expect(result.outputs == ["msg": .json("[1]")])
  }
}
