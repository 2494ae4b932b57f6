# The benchmark's hello world in the guide's style: a plain `def main(req)` (the worker runs it in its
# thread pool). GET /api/hello_sync?name=bench -> "Hello, bench!" (text/plain).
import azure.functions as func


def main(req: func.HttpRequest) -> str:
    name = req.params.get("name", "world")
    return f"Hello, {name}!"
