import Foundation
import FunctionsHostCore
import Testing

@testable import FunctionsHostHTTP

@Suite("Function keys")
struct FunctionKeysTests {
  let keys = FunctionKeys(
    masterKey: "master-secret",
    hostKeys: ["default": "host-default", "ci": "host-ci"],
    functionKeys: ["hello": ["default": "hello-key"], "other": ["default": "other-key"]]
  )

  @Test(arguments: [
    ("hello-key", true), ("other-key", false), ("host-default", true), ("host-ci", true),
    ("master-secret", true), ("", false), ("hello-ke", false), ("hello-keyy", false),
    ("HELLO-KEY", false),
  ])
  func functionLevel(key: String, opens: Bool) {
    #expect(keys.opensFunction("hello", with: key) == opens)
    #expect(keys.opensFunction("hello", with: Substring("x\(key)").dropFirst()) == opens)
  }

  @Test func onlyTheMasterKeyIsTheMasterKey() {
    #expect(keys.isMasterKey("master-secret"))
    for key in ["host-default", "hello-key", "", "master-secre", "master-secret2"] {
      #expect(!keys.isMasterKey(key), "\(key)")
    }
    #expect(!FunctionKeys(masterKey: "").isMasterKey(""))
  }

  @Test(arguments: [
    ("abc", "abc", true), ("abc", "abd", false), ("ab", "abc", false), ("abcd", "abc", false),
    ("", "abc", false), ("", "", false), ("é", "é", true), ("\u{00}", "", false),
  ])
  func constantTimeEquals(candidate: String, secret: String, equal: Bool) {
    #expect(FunctionKeys.constantTimeEquals(candidate, secret) == equal)
  }

  @Test func randomKeysAreURLSafeAndDistinct() {
    let generated = (0 ..< 200).map { _ in FunctionKeys.randomKey() }
    #expect(Set(generated).count == 200)
    let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    for key in generated {
      #expect(key.count == 43)
      #expect(key.allSatisfy(allowed.contains), "\(key)")
    }
    // Every alphabet position is used somewhere (no stuck bits).
    #expect(Set(generated.joined()).count == 64)
  }

  @Test func generateMakesMasterAndDefaultHostKey() {
    let keys = FunctionKeys.generate()
    #expect(keys.masterKey.count == 43)
    #expect(Array(keys.hostKeys.keys) == ["default"])
    #expect(keys.functionKeys.isEmpty)
    #expect(keys.masterKey != keys.hostKeys["default"])
  }

  @Test func functionKeysAreAddedForFunctionLevelHTTPFunctionsOnly() {
    var keys = FunctionKeys(masterKey: "m", functionKeys: ["kept": ["mine": "k"]])
    let created = keys.addMissingFunctionKeys(for: [
      httpFunction("open", authLevel: "anonymous"), httpFunction("guarded", authLevel: "function"),
      httpFunction("adminOnly", authLevel: "admin"), httpFunction("kept", authLevel: "function"),
      httpFunction("off", disabled: true, authLevel: "FUNCTION"), timerFunction("tick"),
    ])
    #expect(
      created.map(\.description) == [
        "function 'guarded' key 'default'", "function 'off' key 'default'",
      ]
    )
    #expect(keys.functionKeys["guarded"]?["default"] == created[0].value)
    #expect(keys.functionKeys["kept"] == ["mine": "k"])
    #expect(keys.functionKeys["open"] == nil && keys.functionKeys["adminOnly"] == nil)
    #expect(
      keys.addMissingFunctionKeys(for: [httpFunction("guarded", authLevel: "function")]).isEmpty
    )
  }

  @Test func printingNeverShowsAKey() {
    var dumped = ""
    dump(keys, to: &dumped)
    for text in ["\(keys)", String(reflecting: keys), dumped, "\(keys.entries)"] {
      for secret in ["master-secret", "host-default", "host-ci", "hello-key", "other-key"] {
        #expect(!text.contains(secret), "\(text)")
      }
    }
    #expect(
      "\(keys)"
        == "FunctionKeys(master, host: [ci, default], functions: [hello: [default], other: [default]])"
    )
    #expect(
      keys.entries.map(\.value) == [
        "master-secret", "host-ci", "host-default", "hello-key", "other-key",
      ]
    )
  }
}

@Suite("Function keys file")
struct FunctionKeysFileTests {
  func temporaryDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(
      "fh-keys-\(UUID().uuidString)"
    ).path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  @Test func roundTripWithPrivatePermissions() throws {
    let root = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let file = FunctionKeysFile(path: "\(root)/cache/secrets/app-1.json")
    #expect(try file.load() == nil)
    var keys = FunctionKeys.generate()
    _ = keys.addMissingFunctionKeys(for: [httpFunction("hello", authLevel: "function")])
    try file.save(keys)
    #expect(try file.load() == keys)
    let fileMode =
      try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
    let folderMode =
      try FileManager.default.attributesOfItem(atPath: "\(root)/cache/secrets")[.posixPermissions]
      as? Int
    #expect(fileMode == 0o600)
    #expect(folderMode == 0o700)
    // Overwriting keeps it private and leaves no temporary file behind.
    keys.hostKeys["extra"] = "x"
    try file.save(keys)
    #expect(try file.load()?.hostKeys["extra"] == "x")
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: "\(root)/cache/secrets") == ["app-1.json"]
    )
  }

  @Test func theFileIsEditableJSON() throws {
    let root = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let path = "\(root)/secrets.json"
    try Data(
      #"{"masterKey": "m", "hostKeys": {"default": "d"}, "functionKeys": {"hello": {"default": "h", "phone": "p"}}}"#
        .utf8
    ).write(to: URL(fileURLWithPath: path))
    let keys = try #require(try FunctionKeysFile(path: path).load())
    #expect(
      keys
        == FunctionKeys(
          masterKey: "m",
          hostKeys: ["default": "d"],
          functionKeys: ["hello": ["default": "h", "phone": "p"]]
        )
    )
    let text = FunctionKeysFile.json(keys)
    let parsed = try #require(
      try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
    )
    #expect(parsed["masterKey"] as? String == "m")
    #expect((parsed["functionKeys"] as? [String: [String: String]])?["hello"]?["phone"] == "p")
  }

  @Test(arguments: [
    ("[]", "the top level must be a JSON object"),
    (#"{"hostKeys": {}}"#, "field 'masterKey' must be a non-empty string"),
    (#"{"masterKey": ""}"#, "field 'masterKey' must be a non-empty string"),
    (#"{"masterKey": "m", "hostKeys": ["a"]}"#, "field 'hostKeys' must be an object"),
    (
      #"{"masterKey": "m", "functionKeys": {"f": {"default": 3}}}"#,
      "field 'functionKeys.f.default' must be a non-empty string"
    ),
    ("{nope", "not valid JSON"),
  ])
  func badFilesNameTheField(text: String, message: String) throws {
    let root = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let path = "\(root)/secrets.json"
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    #expect {
      try FunctionKeysFile(path: path).load()
    } throws: { error in
      guard let error = error as? FunctionsHostError else { return false }
      return error.code == .configuration && error.message.contains(path)
        && error.message.contains(message)
    }
  }

  @Test func defaultPathIsInTheCacheKeyedByTheAppPath() {
    let a = FunctionKeysFile.defaultPath(scriptRoot: "/srv/shop", cacheDirectory: "/c")
    #expect(a.hasPrefix("/c/secrets/shop-"))
    #expect(a.hasSuffix(".json"))
    #expect(a.count == "/c/secrets/shop-".count + 16 + ".json".count)
    #expect(FunctionKeysFile.defaultPath(scriptRoot: "/srv/shop/", cacheDirectory: "/c") == a)
    #expect(FunctionKeysFile.defaultPath(scriptRoot: "/srv/x/../shop", cacheDirectory: "/c") == a)
    #expect(FunctionKeysFile.defaultPath(scriptRoot: "/other/shop", cacheDirectory: "/c") != a)
    #expect(
      FunctionKeysFile.defaultPath(scriptRoot: "/srv/my app!", cacheDirectory: "/c").hasPrefix(
        "/c/secrets/my_app_-"
      )
    )
  }
}
