"""HTTP streaming in the decorator model: server-sent events, a generated download, a streamed
upload, a plain generator function and an ordinary function side by side.

The FastAPI-style functions (``Request`` parameter, ``StreamingResponse``/``JSONResponse``
result) run unchanged under Microsoft's Python worker with azurefunctions-extensions-http-fastapi;
the generator functions (``stream_lines``, ``ticker``) are a functions-host extension of the
bundled worker.
"""
import asyncio
import hashlib
import logging

import azure.functions as func
from azurefunctions.extensions.http.fastapi import JSONResponse, Request, StreamingResponse

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

MIB = 1024 * 1024


@app.route(route="events", methods=["GET"])
async def events(req: Request) -> StreamingResponse:
    """Server-sent events: five events, 200 ms apart, each sent the moment it exists."""
    async def produce():
        for number in range(5):
            if number:
                await asyncio.sleep(0.2)
            yield f"id: {number}\ndata: event {number}\n\n"
    return StreamingResponse(produce(), media_type="text/event-stream")


@app.route(route="download", methods=["GET"])
async def download(req: Request) -> StreamingResponse:
    """``?bytes=N`` bytes generated on the fly in 1 MiB chunks (never held in memory whole)."""
    try:
        total = int(req.query_params.get("bytes", str(MIB)))
    except ValueError:
        return JSONResponse({"error": "bytes must be an integer"}, status_code=400)
    if total < 0:
        return JSONResponse({"error": "bytes must not be negative"}, status_code=400)
    block = bytes(range(256)) * (MIB // 256)

    async def produce():
        left = total
        while left > 0:
            size = min(left, MIB)
            yield block[:size]
            left -= size
    return StreamingResponse(produce(), media_type="application/octet-stream",
                             headers={"content-length": str(total)})


@app.route(route="upload", methods=["POST", "PUT"])
async def upload(req: Request) -> JSONResponse:
    """Counts and hashes the request body as it arrives, chunk by chunk."""
    digest, count, chunks = hashlib.sha256(), 0, 0
    async for chunk in req.stream():
        digest.update(chunk)
        count += len(chunk)
        chunks += 1 if chunk else 0
    logging.info("upload: %d bytes in %d chunks", count, chunks)
    return JSONResponse({"bytes": count, "sha256": digest.hexdigest()})


@app.route(route="lines", methods=["GET"])
def stream_lines(req: func.HttpRequest):
    """A plain generator function: the first item sets status and headers, each later item is
    a chunk (``?count=`` lines)."""
    count = int(req.params.get("count", "3"))
    yield func.HttpResponse(status_code=200, headers={"x-stream": "lines"},
                            mimetype="text/plain")
    for number in range(count):
        yield f"line {number}\n"


@app.route(route="ticker", methods=["GET"])
async def ticker(req: func.HttpRequest):
    """Ticks until the client goes away; the ``finally`` shows that the function was stopped."""
    try:
        number = 0
        while True:
            yield f"tick {number}\n"
            number += 1
            await asyncio.sleep(0.05)
    finally:
        logging.info("stream stopped")


@app.route(route="hello", methods=["GET"])
def hello(req: func.HttpRequest) -> func.HttpResponse:
    """An ordinary function: the host's buffered path, unchanged."""
    name = req.params.get("name", "world")
    return func.HttpResponse(f"Hello, {name}!")
