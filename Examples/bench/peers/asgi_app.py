"""The hello world as a bare ASGI app, for uvicorn + uvloop + httptools (scripts/bench/peers.sh)."""
from urllib.parse import parse_qs

HEADERS = [(b"content-type", b"text/plain; charset=utf-8")]


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    name = parse_qs(scope["query_string"].decode("latin-1")).get("name", ["world"])[0]
    body = f"Hello, {name}!".encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": HEADERS + [(b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
