import Testing

@testable import FunctionsHostCore

@Suite("HTTP proxy target from a worker's capabilities")
struct HTTPProxyTargetTests {
  @Test func usableURIsOnly() {
    let tcp = HTTPProxyTarget(capabilities: ["HttpUri": "http://127.0.0.1:5000/", "RequiresRouteParameters": "true"])
    #expect(tcp == HTTPProxyTarget(baseURI: "http://127.0.0.1:5000", requiresRouteParameters: true, perFunction: false))
    let unix = HTTPProxyTarget(capabilities: ["HttpUri": "http+unix://%2Ftmp%2Fh.sock", "FunctionsHostHttpProxyPerFunction": "1"])
    #expect(unix?.perFunction == true)
    #expect(unix?.requiresRouteParameters == false)
    #expect(HTTPProxyTarget(capabilities: ["HttpUri": "https://example.com"]) == nil)
    #expect(HTTPProxyTarget(capabilities: ["HttpUri": ""]) == nil)
    #expect(HTTPProxyTarget(capabilities: [:]) == nil)
  }

  @Test func perFunctionTargetsProxyOnlyMarkedFunctions() {
    let marked = FunctionMetadata(
      name: "s", functionID: "1", directory: "/a", scriptFile: "/a/f.py", bindings: [],
      properties: ["FunctionsHostHttpProxy": "true"])
    let plain = FunctionMetadata(name: "p", functionID: "2", directory: "/a", scriptFile: "/a/f.py", bindings: [])
    let ours = HTTPProxyTarget(baseURI: "http://127.0.0.1:1", requiresRouteParameters: true, perFunction: true)
    let stock = HTTPProxyTarget(baseURI: "http://127.0.0.1:1", requiresRouteParameters: true, perFunction: false)
    #expect(ours.proxies(marked) && !ours.proxies(plain))
    #expect(stock.proxies(marked) && stock.proxies(plain))
  }
}
