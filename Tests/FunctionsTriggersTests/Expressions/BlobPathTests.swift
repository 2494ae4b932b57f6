import FunctionsTriggers
import Testing

@Suite("BlobPath and BlobPathPattern")
struct BlobPathTests {
  static let site = BindingSite(functionName: "f", bindingName: "myblob")

  static func pattern(_ text: String, settings: [String: String] = [:]) throws -> BlobPathPattern {
    try BlobPathPattern.parse(text, appSettings: settings, site: site)
  }

  @Test(
    "docs examples and greedy captures",
    arguments: [
      ("input/{blobname}.{blobextension}", "original-Blob1.txt", ["blobname": "original-Blob1", "blobextension": "txt"]),
      ("input/original-{name}", "original-Blob1.txt", ["name": "Blob1.txt"]),
      ("samples/{name}.png", "dir/x.png", ["name": "dir/x"]),
      ("images/{{20140101}}-{name}", "{20140101}-soundfile.mp3", ["name": "soundfile.mp3"]),
      ("ccc/{name}.{ext}", "a.b.txt", ["name": "a.b", "ext": "txt"]),
      ("ccc/{a}{b}", "xyz", ["a": "xyz", "b": ""]),
      ("ccc/{a}-{b}-{c}", "1-2-3-4", ["a": "1-2", "b": "3", "c": "4"]),
      ("ccc/{name}", "", ["name": ""]),
      ("ccc/fixed.txt", "fixed.txt", [:]),
      ("ccc/{x}/{x}", "a/b", ["x": "b"]),
    ] as [(String, String, [String: String])])
  func matches(path: String, blob: String, captures: [String: String]) throws {
    let p = try Self.pattern(path)
    #expect(p.match(blobName: blob, in: p) == captures)
  }

  @Test(
    "non-matches",
    arguments: [
      ("samples/{name}.png", "x.PNG"),
      ("input/original-{name}", "copy-original-x"),
      ("images/{{20140101}}-{name}", "20140101-x"),
      ("ccc/fixed.txt", "fixed.txt2"),
      ("ccc/{name}.txt", "line\nbreak.txt"),
    ])
  func nonMatches(path: String, blob: String) throws {
    #expect(try Self.pattern(path).match(blobName: blob, in: try Self.pattern(path)) == nil)
  }

  @Test("the container must match exactly; blob paths split at the first slash")
  func container() throws {
    let p = try Self.pattern("samples/{name}")
    #expect(p.container == "samples")
    #expect(p.match(container: "other", blobName: "x") == nil)
    #expect(p.match(blobPath: "samples/a/b") == ["name": "a/b"])
    #expect(p.parameterNames == ["name"])
    #expect(p.literalPrefix == nil)
    #expect(try Self.pattern("samples/in/{name}").literalPrefix == "in/")
  }

  @Test("adjacent captures: longest first, later names win, and no exponential backtracking", .timeLimit(.minutes(1)))
  func adjacentCaptures() throws {
    let p = try Self.pattern("samples/{a}{b}.{ext}")
    #expect(p.match(blobPath: "samples/abc.txt") == ["a": "abc", "b": "", "ext": "txt"])
    #expect(try Self.pattern("samples/{name}-{name}").match(blobPath: "samples/x-y") == ["name": "y"])
    // Found by scripts/fuzz-parsers.sh: before failed states were remembered, this took exponential time
    // (a blob name anyone can upload could stall the blob trigger).
    let many = try Self.pattern("samples/{a}{b}{c}{d}{e}{f}.{ext}x")
    #expect(many.match(blobPath: "samples/" + String(repeating: "a.", count: 300)) == nil)
  }

  @Test("%AppSetting% resolved first, in the container too")
  func settings() throws {
    let p = try Self.pattern("%C%/{name}", settings: ["C": "samples"])
    #expect(p.container == "samples")
  }

  @Test(
    "invalid trigger paths",
    arguments: [
      ("nocontainer", BindingExpressionError.Code.invalidPath), ("/x", .invalidPath), ("ccc/", .invalidPath),
      ("{c}/x", .invalidPath), ("ccc{x}/y", .invalidPath), ("ccc/{a.b}", .invalidPath), ("ccc/{rand-guid}", .invalidPath),
      ("ccc/{DateTime:yyyy}", .invalidPath), ("ccc/{x", .invalidTemplate), ("Upper/x", .invalidName), ("ab/x", .invalidName),
    ])
  func invalid(path: String, code: BindingExpressionError.Code) {
    #expect { try Self.pattern(path) } throws: { ($0 as? BindingExpressionError)?.code == code }
  }

  @Test("container error message")
  func containerMessage() {
    #expect {
      try Self.pattern("{c}/x")
    } throws: { "\($0)".contains("container paths cannot contain {resolve} tokens") && "\($0)".contains("'myblob'") }
  }

  @Test("BlobPath keeps a template for the blob name")
  func blobPath() throws {
    let p = try BlobPath.parse("out/{queueTrigger}.txt", appSettings: [:], site: Self.site)
    #expect(p.container == "out")
    #expect(p.blobName.source == "out/{queueTrigger}.txt")
    #expect(p.blobName.expressions.map(\.name) == ["queueTrigger"])
    #expect(throws: BindingExpressionError.self) { try BlobPath.parse("{x}/y", appSettings: [:], site: Self.site) }
  }
}

extension BlobPathPattern {
  /// The captures of a blob in the pattern's own container.
  fileprivate func match(blobName: String, in _: BlobPathPattern) -> [String: String]? {
    match(container: container, blobName: blobName)
  }
}
