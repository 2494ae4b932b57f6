import azure.functions as func


def main(req: func.HttpRequest) -> func.HttpResponse:
    kind = req.params.get("kind")
    if kind == "bytes":
        return func.HttpResponse(b"\x89PNG-bytes", status_code=201, mimetype="image/png")
    if kind == "charset":
        return func.HttpResponse("h\u00e9llo", mimetype="text/plain", charset="iso-8859-1")
    if kind == "cookies":
        response = func.HttpResponse("with cookies")
        response.headers.add("Set-Cookie", "session=abc123; Domain=example.com; Path=/app; "
                             "Expires=Wed, 21 Oct 2037 07:28:00 GMT; Max-Age=3600; Secure; "
                             "HttpOnly; SameSite=Strict")
        response.headers.add("Set-Cookie", "theme=dark; SameSite=Lax")
        return response
    if kind == "str":
        return "a plain str return"
    return func.HttpResponse("custom status and headers", status_code=418,
                             headers={"X-Teapot": "short and stout"})
