import Foundation
import FunctionsHostCore
import FunctionsTriggers
import Testing

@Suite("BindingTemplate")
struct BindingTemplateTests {
  static let site = BindingSite(functionName: "f", bindingName: "outputBlob")
  static let now = Date(timeIntervalSince1970: 1_518_803_995.123)  // 2018-02-16T17:59:55.123Z
  static let context = BindingExpressionContext(
    site: site, sys: SystemBindingData(methodName: "Copy", utcNow: now, randGuid: "11111111-2222-3333-4444-555555555555"),
    makeGuid: { "50710cb5-84b9-4d87-9d83-a03d6976a682" })
  static let data: [String: BindingDataValue] = [
    "id": .string("42"),
    "QueueTrigger": .string("hello"),
    "Query": .json(.object(["name": .string("ann"), "Age": .number(7), "ok": .bool(true), "none": .null])),
    "nested": .json(.object(["a": .object(["B": .object(["c": .string("deep")])])])),
    "list": .json(.array([.number(1)])),
    "Headers": .json(.object(["x-foo": .string("bar")])),
  ]

  static func resolve(_ text: String, settings: [String: String] = [:], data: [String: BindingDataValue] = data) throws
    -> String
  {
    try BindingTemplate.parse(text, appSettings: settings, site: site).resolve(data, context: context)
  }

  @Test(
    "resolves",
    arguments: [
      ("samples/{id}", "samples/42"),
      ("samples/{ID}", "samples/42"),
      ("out/{queueTrigger}-{rand-guid}.txt", "out/hello-50710cb5-84b9-4d87-9d83-a03d6976a682.txt"),
      ("{rand-guid:N}", "50710cb584b94d879d83a03d6976a682"),
      ("{Rand-Guid:B}", "{50710cb5-84b9-4d87-9d83-a03d6976a682}"),
      ("{Query.name}", "ann"),
      ("{query.NAME}", "ann"),
      ("{Query.age}", "7"),
      ("{Query.ok}", "true"),
      ("{Query.none}", ""),
      ("{nested.a.b.C}", "deep"),
      ("{Headers.x-foo}", "bar"),
      ("{DateTime}.txt", "2018-02-16T17-59-55Z.txt"),
      ("{datetime:yyyy-MM-dd}", "2018-02-16"),
      ("{DateTime:yyyy/MM/dd/HH/mm/ss.fff}", "2018/02/16/17/59/55.123"),
      ("{sys.MethodName}", "Copy"),
      ("{sys.randguid}", "11111111-2222-3333-4444-555555555555"),
      ("{sys.UtcNow}", "2018-02-16T17:59:55.123000+00:00"),
      ("{sys.UtcNow:yyyyMMdd}", "20180216"),
      ("images/{{20140101}}-{id}", "images/{20140101}-42"),
      ("{{}}", "{}"),
      ("plain/text", "plain/text"),
      ("", ""),
    ])
  func resolves(text: String, expected: String) throws {
    #expect(try Self.resolve(text) == expected)
  }

  @Test("binding data takes precedence over the built-ins")
  func dataWins() throws {
    #expect(try Self.resolve("{DateTime}", data: ["datetime": .string("mine")]) == "mine")
    #expect(try Self.resolve("{rand-guid}", data: ["Rand-Guid": .string("g")]) == "g")
  }

  @Test("%AppSetting% is resolved first, and may bring expressions")
  func appSettings() throws {
    #expect(try Self.resolve("%Container%/{id}", settings: ["Container": "samples"]) == "samples/42")
    #expect(try Self.resolve("%container%/x", settings: ["CONTAINER": "c1"]) == "c1/x")
    #expect(try Self.resolve("%Pattern%", settings: ["Pattern": "a/{id}"]) == "a/42")
  }

  @Test("an unknown or unclosed app setting is an error naming it")
  func appSettingErrors() {
    #expect {
      try Self.resolve("%Missing%/{id}")
    } throws: { error in
      let e = error as? BindingExpressionError
      return e?.code == .unknownAppSetting && e!.message.contains("'Missing'")
        && e!.message.hasPrefix("function 'f', binding 'outputBlob':")
    }
    #expect { try Self.resolve("50%/x") } throws: { ($0 as? BindingExpressionError)?.code == .unknownAppSetting }
  }

  @Test("a missing key names the expression, path, function, binding and known keys")
  func missing() {
    #expect {
      try Self.resolve("samples/{nope}", data: ["Id": .string("1"), "QueueTrigger": .string("q")])
    } throws: { error in
      (error as? BindingExpressionError)?.message
        == "function 'f', binding 'outputBlob': no value for '{nope}' in path 'samples/{nope}' (known: Id, QueueTrigger)"
    }
  }

  @Test("missing properties and unusable values", arguments: ["{Query.missing}", "{id.length}", "{nested.a.b.c.d}", "{sys.Other}"])
  func missingProperty(text: String) {
    #expect { try Self.resolve(text) } throws: { ($0 as? BindingExpressionError)?.code == .missingValue }
  }

  @Test("objects and arrays cannot go into a path", arguments: ["{Query}", "{list}", "{nested.a}"])
  func unusable(text: String) {
    #expect { try Self.resolve(text) } throws: { ($0 as? BindingExpressionError)?.code == .unusableValue }
  }

  @Test(
    "malformed templates",
    arguments: ["{", "a{b", "}", "a}b", "{}", "{a{b}}", "{1abc}", "{a-b}", "{a..b}", "{a.}", "{DateTime:MMM}", "{DateTime:hh}", "{rand-guid:X}"])
  func malformed(text: String) {
    #expect { try Self.resolve(text) } throws: { ($0 as? BindingExpressionError)?.code == .invalidTemplate }
  }

  @Test("parsing tells literals from expressions")
  func tokens() throws {
    let t = try BindingTemplate.parse("a/{{x}}/{name:fmt}", appSettings: [:], site: Self.site)
    #expect(!t.isLiteral)
    #expect(t.tokens.count == 2)
    #expect(t.tokens.first == .literal("a/{x}/"))
    #expect(t.expressions.map(\.path) == [["name"]])
    #expect(t.expressions.first?.format == "fmt")
    #expect(try BindingTemplate.parse("a/{{b}}", appSettings: [:], site: Self.site).isLiteral)
  }
}
