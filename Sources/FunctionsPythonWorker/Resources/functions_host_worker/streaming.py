"""Streaming HTTP functions: which functions stream, and how a proxied invocation's response is
written (the three styles of the host/worker contract), plus the buffered fallback for generator
functions that the host does not proxy.

Styles: ``asgi`` -- (a) the HTTP trigger parameter is a Starlette/FastAPI ``Request``, or (b) the
return annotation a Starlette ``Response`` subclass; ``generator`` -- (c) a generator or async
generator function. Starlette and FastAPI are never imported unless the app imports them.
"""
from __future__ import annotations

import asyncio
import contextvars
import inspect
import json
import sys
import typing
import urllib.parse

import azure.functions as azf

ASGI = "asgi"
GENERATOR = "generator"
#: RpcFunctionMetadata.properties key that tells the host to proxy a function.
PROXY_PROPERTY = "FunctionsHostHttpProxy"
_END = object()
DEFAULT_CONTENT_TYPE = "text/plain; charset=utf-8"


def _has_base(annotation, module: str, name: str) -> bool:
    """Whether ``annotation`` is a class deriving from ``module.name`` (without importing it)."""
    if not isinstance(annotation, type) or module.split(".")[0] not in sys.modules:
        return False
    return any(c.__module__ == module and c.__name__ == name for c in annotation.__mro__)


def is_starlette_request(annotation) -> bool:
    return _has_base(annotation, "starlette.requests", "Request")


def is_starlette_response(annotation) -> bool:
    return _has_base(annotation, "starlette.responses", "Response")


def style_of(func: typing.Callable, trigger_param: typing.Optional[str],
             hints: typing.Optional[typing.Mapping[str, typing.Any]] = None
             ) -> typing.Optional[str]:
    """The streaming style of an HTTP-triggered function, or None (a plain function)."""
    if trigger_param is None:
        return None
    if hints is None:
        try:
            hints = typing.get_type_hints(func)
        except Exception:
            hints = {k: v for k, v in getattr(func, "__annotations__", {}).items()
                     if not isinstance(v, str)}
    if is_starlette_request(hints.get(trigger_param)) or is_starlette_response(hints.get("return")):
        return ASGI
    if inspect.isgeneratorfunction(func) or inspect.isasyncgenfunction(func):
        return GENERATOR
    return None


def route_params(request, trigger_param: str) -> typing.Dict[str, str]:
    """The RpcHttp ``params`` of the InvocationRequest's trigger binding."""
    for binding in request.input_data:
        if binding.name == trigger_param and binding.data.WhichOneof("data") == "http":
            return dict(binding.data.http.params)
    return {}


def is_proxied(request, trigger_param: typing.Optional[str]) -> bool:
    """A proxied invocation's trigger carries only route params: no method (a buffered one always
    has it)."""
    if trigger_param is None:
        return False
    for binding in request.input_data:
        if binding.name == trigger_param:
            return binding.data.WhichOneof("data") == "http" and not binding.data.http.method
    return False


# -- requests ------------------------------------------------------------------------------------

def starlette_request(request_class, exchange, params: typing.Mapping[str, str]):
    """A Starlette (or FastAPI) Request on the proxied request's ASGI scope."""
    scope = dict(exchange.scope, path_params=dict(params))
    return request_class(scope, exchange.receive)


async def http_request(exchange, params: typing.Mapping[str, str]) -> azf.HttpRequest:
    """A func.HttpRequest built from the proxied request (its whole body read)."""
    scope = exchange.scope
    headers: typing.Dict[str, str] = {}
    for key, value in scope["headers"]:
        name, text = key.decode("latin-1").lower(), value.decode("latin-1")
        headers[name] = f"{headers[name]}, {text}" if name in headers else text
    body = await exchange.read_body()
    query = scope.get("query_string", b"").decode("latin-1")
    path = scope.get("raw_path") or scope["path"].encode()
    url = f"http://{headers.get('host', 'localhost')}{path.decode('latin-1')}"
    return azf.HttpRequest(
        method=scope["method"], url=url + (f"?{query}" if query else ""), headers=headers,
        params=dict(urllib.parse.parse_qsl(query, keep_blank_values=True)),
        route_params=dict(params), body=body)


# -- responses -----------------------------------------------------------------------------------

def _start(status: int, headers: typing.Iterable[typing.Tuple[str, str]], mimetype=None,
           charset=None):
    raw = [(k.lower().encode("latin-1"), str(v).encode("latin-1")) for k, v in headers]
    if not any(k == b"content-type" for k, _ in raw):
        content_type = (f"{mimetype}; charset={charset or 'utf-8'}" if mimetype
                        else DEFAULT_CONTENT_TYPE)
        raw.append((b"content-type", content_type.encode("latin-1")))
    return {"type": "http.response.start", "status": int(status), "headers": raw}


def _chunk(item) -> bytes:
    if isinstance(item, str):
        return item.encode("utf-8")
    if isinstance(item, (bytes, bytearray, memoryview)):
        return bytes(item)
    raise TypeError(f"a streaming function yielded a {type(item).__name__}; expected str or bytes "
                    "(or a func.HttpResponse as the first item)")


async def send_http_response(exchange, response: azf.HttpResponse) -> None:
    """Writes a whole func.HttpResponse (a plain function the host proxied anyway)."""
    start = _start(response.status_code, response.headers.items(), response.mimetype,
                   response.charset)
    body = response.get_body() or b""
    start["headers"] = [h for h in start["headers"] if h[0] != b"content-length"]
    start["headers"].append((b"content-length", str(len(body)).encode()))
    await exchange.send(start)
    await exchange.send({"type": "http.response.body", "body": body, "more_body": False})


def plain_response(http, result) -> azf.HttpResponse:
    """The func.HttpResponse of a plain function that was proxied anyway, from its value or its
    encoded ``$return`` RpcHttp (``http``, None when it has none)."""
    if isinstance(result, azf.HttpResponse):
        return result
    if http is not None:
        body = getattr(http.body, http.body.WhichOneof("data") or "bytes")
        return azf.HttpResponse(body if isinstance(body, (str, bytes)) else str(body),
                                status_code=int(http.status_code or 200),
                                headers=dict(http.headers))
    if isinstance(result, (str, bytes)):
        return azf.HttpResponse(result)
    return azf.HttpResponse(status_code=204)


def asgi_response(result):
    """The Starlette response to run for an (a)/(b) function's return value, as FastAPI does."""
    if is_starlette_response(type(result)):
        return result
    from starlette.responses import JSONResponse, Response
    if isinstance(result, azf.HttpResponse):
        return Response(result.get_body(), status_code=result.status_code,
                        headers=dict(result.headers), media_type=result.mimetype)
    try:
        from fastapi.encoders import jsonable_encoder
    except ImportError:  # plain Starlette: json-serialisable values only
        def jsonable_encoder(value):
            return json.loads(json.dumps(value, default=str))
    return JSONResponse(jsonable_encoder(result))


class GeneratorStream:
    """Steps a generator function's generator: an async one on the event loop, a sync one on
    the worker's thread pool (one step at a time, so a blocking producer blocks no other work)."""

    def __init__(self, generator, pool) -> None:
        self.generator, self._pool = generator, pool
        self._async = inspect.isasyncgen(generator)
        self._step: typing.Optional[asyncio.Future] = None

    async def next(self):
        if self._async:
            return await self.generator.__anext__()
        generator = self.generator
        self._step = self._pool.submit(contextvars.copy_context(),
                                       lambda: next(generator, _END), {})
        result, error = await asyncio.shield(self._step)  # a cancel leaves the step running
        self._step = None
        if error is not None:
            raise error
        return result

    async def close(self) -> None:
        """Runs the generator's ``finally`` (after a step that is still running, for a sync one)."""
        if self._async:
            await self.generator.aclose()
            return
        context, generator, pool = contextvars.copy_context(), self.generator, self._pool
        if self._step is not None and not self._step.done():
            self._step.add_done_callback(lambda _: pool.submit(context, generator.close, {}))
        else:
            await pool.submit(context, generator.close, {})

    async def items(self):
        while True:
            try:
                item = await self.next()
            except StopAsyncIteration:
                return
            if item is _END:
                return
            yield item


async def stream_generator(exchange, stream: GeneratorStream) -> None:
    """Writes a generator function's items as they come (style (c)); closes the generator."""
    started = False
    try:
        async for item in stream.items():
            if not started:
                started = True
                if isinstance(item, azf.HttpResponse):
                    await exchange.send(_start(item.status_code, item.headers.items(),
                                               item.mimetype, item.charset))
                    item = item.get_body() or b""
                    if not item:
                        continue
                else:
                    await exchange.send(_start(200, ()))
            await exchange.send({"type": "http.response.body", "body": _chunk(item),
                                 "more_body": True})
        if not started:
            await exchange.send(_start(200, ()))
        await exchange.send({"type": "http.response.body", "body": b"", "more_body": False})
    finally:
        await asyncio.shield(stream.close())


async def buffer_generator(stream: GeneratorStream) -> azf.HttpResponse:
    """A non-proxied generator function's items joined into one func.HttpResponse."""
    first: typing.Optional[azf.HttpResponse] = None
    chunks: typing.List[bytes] = []
    try:
        async for item in stream.items():
            if first is None and not chunks and isinstance(item, azf.HttpResponse):
                first = item
                chunks.append(item.get_body() or b"")
            else:
                chunks.append(_chunk(item))
    finally:
        await asyncio.shield(stream.close())
    headers = dict(first.headers) if first is not None else {}
    if not any(k.lower() == "content-type" for k in headers):
        headers["Content-Type"] = (
            f"{first.mimetype}; charset={first.charset or 'utf-8'}"
            if first is not None and first.mimetype else DEFAULT_CONTENT_TYPE)
    return azf.HttpResponse(b"".join(chunks), status_code=first.status_code if first else 200,
                            headers=headers)
