// libFuzzer entry point for the host's pure parsers (scripts/fuzz-parsers.sh compiles it with their
// source files and -sanitize=fuzzer). The first input byte picks the parser; the rest is its text.
// A parser may refuse any input with an error; it must never crash, hang or trap.
internal import Foundation

private let site = BindingSite(functionName: "fuzz", bindingName: "b")
private let settings = ["Setting": "value", "Empty": ""]
private let start = Date(timeIntervalSince1970: 1_795_000_000)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard size > 0 else { return 0 }
  let bytes = UnsafeBufferPointer(start: data, count: size)
  let text = String(decoding: bytes.dropFirst(), as: UTF8.self)
  switch bytes[0] % 8 {
  case 0:  // NCRONTAB and TimeSpan schedules, and a few occurrences of what parses
    if let schedule = try? TimerSchedule.parse(text) {
      var date = start
      for zone in [TimeZone(identifier: "UTC")!, TimeZone(identifier: "Europe/Paris")!] {
        for _ in 0..<3 { if let next = schedule.next(after: date, in: zone) { date = next } }
      }
    }
  case 1:  // route templates, then matching a path cut from the same input
    let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
    if let template = try? RouteTemplate(parsing: String(parts[0])) {
      let path = parts.count > 1 ? parts[1].split(separator: "/", omittingEmptySubsequences: false) : []
      _ = template.match(ArraySlice(path))
    }
  case 2:  // binding expressions with %AppSetting% references
    _ = try? BindingTemplate.parse(text, appSettings: settings, site: site)
  case 3:  // blob trigger paths, then matching a blob name
    let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
    if let pattern = try? BlobPathPattern.parse(String(parts[0]), appSettings: settings, site: site) {
      _ = pattern.match(blobPath: parts.count > 1 ? String(parts[1]) : "c/b")
    }
  case 4:  // JSON (function.json, host.json, secrets files, trigger payloads)
    _ = try? JSONValue.parse(Data(bytes.dropFirst()))
  case 5:  // log escaping: never a raw control character out
    let escaped = LogSafe.escape(text)
    if escaped.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
      fatalError("LogSafe.escape let a control character through")
    }
    _ = LogSafe.message(text)
  case 6:  // query strings and request paths
    _ = QueryParameters(parsing: Substring(text))
    _ = RequestPath.containsNUL(text)
  default:  // route constraints alone
    _ = try? RouteConstraint.parse(Substring(text))
  }
  return 0
}
