import Foundation
import Testing

@testable import FunctionsHostCore

@Suite struct HostJSONTests {
  @Test func parsesKnownFields() throws {
    let (host, warnings) = try HostJSON.parse(
      Data(
        #"""
        {"version": "2.0", "functionTimeout": "00:05:00",
         "logging": {"logLevel": {"default": "Warning", "Function.hello": "Debug"}},
         "extensions": {"http": {"routePrefix": "/v1/"}}, "extensionBundle": {}, "colour": "blue"}
        """#.utf8), file: "/app/host.json")
    #expect(host.routePrefix == "v1")
    #expect(host.functionTimeout == .limited(.seconds(300)))
    #expect(host.logLevels["Function.hello"] == "Debug")
    #expect(warnings == ["/app/host.json: unknown field 'colour' is ignored"])
  }

  @Test func infiniteTimeout() throws {
    let (host, _) = try HostJSON.parse(Data(#"{"version": "2.0", "functionTimeout": -1}"#.utf8), file: "h")
    #expect(host.functionTimeout == .infinite)
  }

  @Test(arguments: [
    (#"{"version": "1.0"}"#, "field 'version' is \"1.0\""),
    (#"{"version": "2.0", "functionTimeout": "5 minutes"}"#, "field 'functionTimeout' is \"5 minutes\""),
    (#"{"version": "2.0", "functionTimeout": "00:00:00"}"#, "field 'functionTimeout'"),
    (#"{"version": "2.0", "logging": {"logLevel": {"default": "Loud"}}}"#, "field 'logging.logLevel.default' is \"Loud\""),
    (#"{"version": "2.0", "extensions": {"http": {"routePrefix": 3}}}"#, "field 'extensions.http.routePrefix' is 3"),
  ])
  func errorsNameTheField(json: String, expected: String) {
    let error = #expect(throws: FunctionsHostError.self) { try HostJSON.parse(Data(json.utf8), file: "/app/host.json") }
    #expect(error?.message.contains("/app/host.json") == true)
    #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
  }

  @Test func localSettingsEncryptedIsAnError() {
    let error = #expect(throws: FunctionsHostError.self) {
      try LocalSettings.parse(Data(#"{"IsEncrypted": true, "Values": {}}"#.utf8), file: "/app/local.settings.json")
    }
    #expect(error?.message.contains("IsEncrypted") == true)
  }

  @Test func localSettingsValues() throws {
    let s = try LocalSettings.parse(
      Data(#"{"IsEncrypted": false, "Values": {"A": "1", "B": 2, "C": true}, "Host": {"CORS": "*, http://x"}}"#.utf8),
      file: "f")
    #expect(s.values == ["A": "1", "B": "2", "C": "true"])
    #expect(s.cors == ["*", "http://x"])
  }
}
