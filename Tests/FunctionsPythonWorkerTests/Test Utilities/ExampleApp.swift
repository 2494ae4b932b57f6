import Foundation

/// `Examples/hello` in this repository.
enum ExampleApp {
  /// The absolute path of `Examples/hello`, found from this source file.
  static let hello: String = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // Test Utilities
    .deletingLastPathComponent()  // FunctionsPythonWorkerTests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()  // repository root
    .appendingPathComponent("Examples/hello").path

  /// A short script, run in a Python with `azure-functions`, that calls both example functions.
  static let exerciseScript = """
    import json, sys
    sys.path.insert(0, sys.argv[1])
    import azure.functions as func
    from hello import main
    from greet_json import greet_json

    def request(params=None, body=b""):
        return func.HttpRequest(method="POST", url="/api/x", params=params or {}, body=body)

    checks = [
        (main(request({"name": "Ada"})), 200, b"Hello, Ada!"),
        (main(request(body=json.dumps({"name": "Grace"}).encode())), 200, b"Hello, Grace!"),
        (main(request()), 400, b"Please pass a name on the query string or in the request body"),
        (greet_json(request({"name": "Ada"})), 200, b"Hello Ada!"),
        (greet_json(request(body=b"not json")), 400, b"Please pass a name on the query string or in the request body"),
    ]
    for response, status, body in checks:
        assert (response.status_code, response.get_body()) == (status, body), (response.status_code, response.get_body())
    assert greet_json(request()).headers["my-http-header"] == "some-value"
    print("examples ok")
    """
}
