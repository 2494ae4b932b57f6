import Foundation
import FunctionsRPC
import FunctionsTriggers
import Testing

@Suite("QueueOutputMessages")
struct QueueOutputMessagesTests {
  static func texts(_ value: AzureFunctionsRpcMessages_TypedData) throws -> [String] {
    try QueueOutputMessages.messages(from: value).map { String(decoding: $0, as: UTF8.self) }
  }

  @Test(
    "one message per rule",
    arguments: [
      (.string("hello"), ["hello"]),
      (.string("  not [json"), ["  not [json"]),
      (.string(#"["one","two"]"#), ["one", "two"]),  // stock quirk (python-worker#1492)
      (.string("[1,2,3]"), ["1", "2", "3"]),
      (.string(#"{"a": 1}"#), [#"{"a": 1}"#]),  // a string holding an object is kept as written
      (.string(#"{"id":"1","body":"x"}"#), [#"{"id":"1","body":"x"}"#]),  // no unwrap for strings
      (.string("[broken"), ["[broken"]),
      (.json(#"["one", "two"]"#), ["one", "two"]),
      (.json(#"[{"b": 1, "a": 2}, [1, 2], true, 3.50, null]"#), [#"{"b":1,"a":2}"#, "[1,2]", "true", "3.50", ""]),
      (.json(#"{"z": 1, "a": {"k": "v"}}"#), [#"{"z":1,"a":{"k":"v"}}"#]),
      (.json(#"{"id": "abc", "body": "payload"}"#), ["payload"]),  // func.QueueMessage
      (.json(#"{"id": null, "body": "payload"}"#), ["payload"]),
      (.json(#"[{"id": "1", "body": "a"}, "b", {"id": "2", "body": "c"}]"#), ["a", "b", "c"]),
      (.json(#"{"id": "1", "body": "a", "extra": 1}"#), [#"{"id":"1","body":"a","extra":1}"#]),
      (.json(#"{"id": 1, "body": "a"}"#), [#"{"id":1,"body":"a"}"#]),
      (.json(#""text""#), ["text"]),
      (.json("42"), ["42"]),
      (.json("false"), ["false"]),
      (.json("null"), []),
      (.json("[]"), []),
      (.int(7), ["7"]),
      (.double(2.0), ["2"]),
      (.double(1.5), ["1.5"]),
    ] as [(AzureFunctionsRpcMessages_TypedData, [String])])
  func rules(value: AzureFunctionsRpcMessages_TypedData, expected: [String]) throws {
    #expect(try Self.texts(value) == expected)
  }

  @Test("bytes are one message unchanged; empty is none")
  func bytesAndEmpty() throws {
    #expect(try QueueOutputMessages.messages(from: .bytes([0, 0xFF])) == [[0, 0xFF]])
    #expect(try QueueOutputMessages.messages(from: AzureFunctionsRpcMessages_TypedData()) == [])
  }

  @Test("collections give one message per element")
  func collections() throws {
    var strings = AzureFunctionsRpcMessages_TypedData()
    strings.collectionString.string = ["a", "b"]
    #expect(try Self.texts(strings) == ["a", "b"])
    var ints = AzureFunctionsRpcMessages_TypedData()
    ints.collectionSint64.sint64 = [1, -2]
    #expect(try Self.texts(ints) == ["1", "-2"])
  }

  @Test("http values and bad JSON are errors naming the kind")
  func errors() {
    var http = AzureFunctionsRpcMessages_TypedData()
    http.http = AzureFunctionsRpcMessages_RpcHttp()
    #expect {
      try QueueOutputMessages.messages(from: http)
    } throws: { ($0 as? BindingConversionError)?.code == .unsupportedValue && "\($0)".contains("'http'") }
    #expect {
      try QueueOutputMessages.messages(from: .json("{nope"))
    } throws: { ($0 as? BindingConversionError)?.code == .invalidJSON }
  }
}

@Suite("BlobOutputContent")
struct BlobOutputContentTests {
  @Test(
    "content per value kind",
    arguments: [
      (.string("héllo"), Array("héllo".utf8)),
      (.bytes([0, 1, 0xFF]), [0, 1, 0xFF]),
      (.json(#"{ "b" : 1, "a" : [ 1 , 2 ] }"#), Array(#"{"b":1,"a":[1,2]}"#.utf8)),
      (.json(#""quoted""#), Array(#""quoted""#.utf8)),
      (.int(42), Array("42".utf8)),
      (.double(1.25), Array("1.25".utf8)),
    ] as [(AzureFunctionsRpcMessages_TypedData, [UInt8])])
  func content(value: AzureFunctionsRpcMessages_TypedData, expected: [UInt8]) throws {
    #expect(try BlobOutputContent.bytes(from: value) == expected)
  }

  @Test("empty writes nothing")
  func empty() throws {
    #expect(try BlobOutputContent.bytes(from: AzureFunctionsRpcMessages_TypedData()) == nil)
  }

  @Test("unsupported kinds and bad JSON are errors")
  func errors() {
    var value = AzureFunctionsRpcMessages_TypedData()
    value.collectionString.string = ["a"]
    #expect {
      try BlobOutputContent.bytes(from: value)
    } throws: { ($0 as? BindingConversionError)?.code == .unsupportedValue && "\($0)".contains("collection_string") }
    #expect(throws: BindingConversionError.self) { try BlobOutputContent.bytes(from: .json("[1,")) }
  }
}

@Suite("OrderedJSON")
struct OrderedJSONTests {
  @Test(
    "round-trips compactly, keeping order and number text",
    arguments: [
      (#" { "b" : 1 , "a" : [ true , false , null ] } "#, #"{"b":1,"a":[true,false,null]}"#),
      (#""\u00e9\n\"\\ \ud83d\ude00""#, "\"é\\n\\\"\\\\ 😀\""),
      ("-0.5e+10", "-0.5e+10"),
      ("[]", "[]"),
      ("{}", "{}"),
    ])
  func roundTrip(text: String, compact: String) throws {
    #expect(try OrderedJSON.parse(text).compactText == compact)
  }

  @Test("rejects invalid JSON", arguments: ["", "{", "[1,]", "01", "1.", "\"\\x\"", "\"\\ud800\"", "tru", "1 2", "{\"a\" 1}"])
  func rejects(text: String) {
    #expect(throws: OrderedJSON.ParseError.self) { try OrderedJSON.parse(text) }
  }

  @Test("deep nesting is an error, not a crash")
  func deep() {
    #expect(throws: OrderedJSON.ParseError.self) { try OrderedJSON.parse(String(repeating: "[", count: 10_000)) }
  }
}
