extension ConformanceFixtures {
  /// The streaming app's `function_app.py`: `stream`, an HTTP function (route `stream/{name}`, POST) that
  /// is an async generator (style (c) of the bundled worker's streaming contract). Its first item, a
  /// `func.HttpResponse`, sets status 203 and `x-conformance: <route name>/<query q>/<request body>`; then
  /// three text chunks follow, 200 ms apart, so a client reads them as separate chunks before the end.
  ///
  /// Streaming generator functions are a functions-host extension of the bundled worker. Microsoft's
  /// worker streams only FastAPI-extension functions (`azurefunctions-extensions-http-fastapi`, a
  /// `Request` parameter and a `StreamingResponse` result), so it needs its own fixture for this check.
  public static let streamingApp = """
    import asyncio

    import azure.functions as func

    app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)


    @app.route(route="stream/{name}", methods=["POST"])
    async def stream(req: func.HttpRequest):
        tag = "/".join([req.route_params.get("name", ""), req.params.get("q", ""),
                        req.get_body().decode("utf-8", "replace")])
        yield func.HttpResponse(status_code=203, headers={"x-conformance": tag},
                                mimetype="text/plain")
        for number in range(3):
            if number:
                await asyncio.sleep(0.2)
            yield f"chunk {number}\\n"

    """

  /// What ``streamingApp``'s `stream` writes as its body.
  static let streamingBody = "chunk 0\nchunk 1\nchunk 2\n"
}
