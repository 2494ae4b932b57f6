# The benchmark's hello world: GET /api/hello?name=bench -> "Hello, bench!" (text/plain).
# async, so the worker runs it on its event loop without a thread hop (the peers' ASGI setups
# serve an async function too).
import azure.functions as func


async def main(req: func.HttpRequest) -> str:
    name = req.params.get("name", "world")
    return f"Hello, {name}!"
