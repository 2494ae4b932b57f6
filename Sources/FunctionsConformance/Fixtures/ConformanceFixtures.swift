internal import Foundation

/// The fixture function apps that ship with the kit (generated from string literals, so a worker under test
/// needs nothing but a command line): a classic `function.json` app and a `function_app.py` decorator app.
/// Both run on the bundled worker and on Microsoft's stock Python worker: the classic functions use a
/// binding type the `azure.functions` library does not know (`conformanceTrigger`), so workers fall back
/// to their generic binding, which passes string, bytes and JSON (and, for workers that accept them, int,
/// double and collections) through unchanged.
///
/// ```swift
/// let apps = try ConformanceFixtures.materialize(into: "/tmp/conformance")
/// print(apps.classic, apps.decorated)
/// ```
public enum ConformanceFixtures {
  /// Where ``materialize(into:)`` wrote the apps.
  public struct Apps: Sendable, Hashable {
    /// The classic `function.json` app (all ``classicFunctions``).
    public var classic: String
    /// The decorator app (`function_app.py` with one HTTP function, `hello`).
    public var decorated: String
    /// The decorator app with one streaming HTTP function, `stream` (``streamingApp``).
    public var streaming: String
  }

  static let trigger = FixtureFunction.Binding(name: "item", type: "conformanceTrigger", direction: "in")
  static let stringTrigger = FixtureFunction.Binding(
    name: "item", type: "conformanceTrigger", direction: "in", dataType: "string")
  static let genericReturn = FixtureFunction.Binding(name: "$return", type: "conformance", direction: "out")

  /// `echo(item)`: returns its input unchanged (every TypedData kind, 20 MB payloads); a list of bytes
  /// (collection_bytes) comes back as a list of integer lists, which generic bindings can encode as JSON.
  public static let echo = FixtureFunction(
    name: "echo", bindings: [trigger, genericReturn],
    code: """
      def main(item):
          if isinstance(item, list) and any(isinstance(x, (bytes, bytearray)) for x in item):
              return [list(x) for x in item]
          return item

      """)

  /// `outputs(item: str, out: Out[str]) -> str`: sets the output binding to `out:<item>`, returns `ret:<item>`.
  public static let outputs = FixtureFunction(
    name: "outputs",
    bindings: [stringTrigger, .init(name: "out", type: "conformance", direction: "out"), genericReturn],
    code: """
      import azure.functions as func


      def main(item: str, out: func.Out[str]) -> str:
          out.set("out:" + item)
          return "ret:" + item

      """)

  /// `httpecho(req)` (not `http`, which would shadow the standard library for workers run with `python -m`): answers 201 with the request body and header `x-conformance: <query name>`.
  public static let http = FixtureFunction(
    name: "httpecho",
    bindings: [
      .init(name: "req", type: "httpTrigger", direction: "in", extra: ["authLevel": "anonymous"], methods: ["post"]),
      .init(name: "$return", type: "http", direction: "out"),
    ],
    code: """
      import azure.functions as func


      def main(req: func.HttpRequest) -> func.HttpResponse:
          return func.HttpResponse(
              body=req.get_body(), status_code=201,
              headers={"x-conformance": req.params.get("name", "")},
              mimetype="application/octet-stream")

      """)

  /// `logs(item)`: logs two lines through `logging`, then returns `logged`.
  public static let logs = FixtureFunction(
    name: "logs", bindings: [stringTrigger, genericReturn],
    code: """
      import logging


      def main(item):
          logging.info("conformance log one: %s", item)
          logging.warning("conformance log two")
          return "logged"

      """)

  /// `slow("<seconds>|<tag>")`: logs `slow started`, sleeps asynchronously, returns `<tag>`.
  public static let slow = FixtureFunction(
    name: "slow", bindings: [stringTrigger, genericReturn],
    code: """
      import asyncio
      import logging


      async def main(item):
          delay, _, tag = item.partition("|")
          logging.info("slow started")
          await asyncio.sleep(float(delay))
          return tag or "done"

      """)

  /// `broken`: its module fails to import, so FunctionLoad must fail.
  public static let broken = FixtureFunction(
    name: "broken", bindings: [trigger, genericReturn],
    code: """
      import conformance_fixture_module_that_does_not_exist  # broken on purpose


      def main(item):
          return item

      """)

  /// `env(name)`: returns the environment variable `name` (or `<unset>`).
  public static let env = FixtureFunction(
    name: "env", bindings: [stringTrigger, genericReturn],
    code: """
      import os


      def main(item):
          return os.environ.get(item, "<unset>")

      """)

  /// Every function of the classic app.
  public static let classicFunctions: [FixtureFunction] = [echo, outputs, http, logs, slow, broken, env]

  /// The decorator app's `function_app.py`.
  public static let decoratedApp = """
    import azure.functions as func

    app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)


    @app.route(route="hello", methods=["GET"])
    def hello(req: func.HttpRequest) -> func.HttpResponse:
        return func.HttpResponse("Hello, " + req.params.get("name", "world") + "!")

    """

  static let hostJSON = #"{"version": "2.0", "logging": {"logLevel": {"default": "Information"}}}"# + "\n"

  /// Writes the apps under `directory` (`classic/`, `decorated/`, `streaming/`), replacing older copies.
  ///
  /// - Throws: ``ConformanceError`` `.fixture` when a file cannot be written.
  public static func materialize(into directory: String) throws -> Apps {
    let fm = FileManager.default
    let classic = "\(directory)/classic"
    let decorated = "\(directory)/decorated"
    let streaming = "\(directory)/streaming"
    do {
      for app in [classic, decorated, streaming] {
        try? fm.removeItem(atPath: app)
        try fm.createDirectory(atPath: app, withIntermediateDirectories: true)
      }
      try write(hostJSON, to: "\(classic)/host.json")
      for f in classicFunctions {
        try fm.createDirectory(atPath: "\(classic)/\(f.name)", withIntermediateDirectories: true)
        try write(f.functionJSON, to: "\(classic)/\(f.name)/function.json")
        try write(f.code, to: "\(classic)/\(f.name)/__init__.py")
      }
      try write(hostJSON, to: "\(decorated)/host.json")
      try write(decoratedApp, to: "\(decorated)/function_app.py")
      try write(hostJSON, to: "\(streaming)/host.json")
      try write(streamingApp, to: "\(streaming)/function_app.py")
    } catch {
      throw ConformanceError(code: .fixture, message: "could not write the fixture apps under \(directory)", cause: error)
    }
    return Apps(classic: classic, decorated: decorated, streaming: streaming)
  }

  private static func write(_ text: String, to path: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
  }
}
