"""HTTP proxying (protocol.md §2.6): the worker's own HTTP server for streamed invocations.

The host forwards a client's raw HTTP request here with ``x-ms-invocation-id`` and sends the
InvocationRequest on the EventStream; :class:`Pairing` matches the two by id whichever comes first.
The listening socket is bound when the worker is initialised (so ``HttpUri`` can be advertised);
uvicorn is imported and started only when the first streaming function is indexed or loaded.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import typing
import urllib.parse

from .constants import LOGGER_NAME

#: Where the functions-host asks the worker to listen (a Unix socket path); absent: TCP 127.0.0.1:0.
SOCKET_ENV = "FUNCTIONS_HOST_HTTP_SOCKET"
#: How long a proxied HTTP request waits for its InvocationRequest (and the reverse), in seconds.
PAIRING_TIMEOUT_ENV = "FUNCTIONS_HOST_HTTP_PAIRING_TIMEOUT"
DEFAULT_PAIRING_TIMEOUT = 60.0
INVOCATION_HEADER = b"x-ms-invocation-id"
BACKLOG = 1024
#: Idle keep-alive of the host's pooled connections: longer than a client pool's usual 60 s idle
#: timeout, so the host (not the worker) closes idle connections and never reuses a closing one.
KEEP_ALIVE_SECONDS = 75


class ProxyError(RuntimeError):
    """A proxied invocation that cannot go on (its HTTP request never came, no server)."""


def pairing_timeout() -> float:
    value = os.environ.get(PAIRING_TIMEOUT_ENV, "")
    try:
        seconds = float(value)
    except ValueError:
        return DEFAULT_PAIRING_TIMEOUT
    return seconds if seconds > 0 else DEFAULT_PAIRING_TIMEOUT


class Exchange:
    """One proxied HTTP request: its ASGI scope and channels, held until its invocation is done.

    ``receive`` hands the request body through; once the body is complete a watcher waits for the
    client to go away and calls ``on_disconnect`` (later ``receive`` calls return
    ``http.disconnect`` then). ``send`` goes to the server, which awaits the transport's flow
    control.
    """

    def __init__(self, scope, receive, send) -> None:
        loop = asyncio.get_running_loop()
        self.scope = scope
        self._raw_receive, self._raw_send = receive, send
        self.claimed = loop.create_future()   # the invocation took this request
        self.finished = asyncio.Event()       # the invocation is done with the HTTP side
        self.gone = asyncio.Event()           # the client disconnected
        self.response_started = False
        self.response_complete = False
        self.body_complete = False
        self.on_disconnect: typing.Callable[[], None] = lambda: None
        self._watcher: typing.Optional[asyncio.Task] = None

    async def receive(self):
        if self.body_complete or self.gone.is_set():
            await self.gone.wait()
            return {"type": "http.disconnect"}
        message = await self._raw_receive()
        if message["type"] == "http.disconnect":
            self._disconnected()
        elif not message.get("more_body", False):
            self.body_complete = True
            self._watcher = asyncio.get_running_loop().create_task(self._watch())
        return message

    async def read_body(self) -> bytes:
        """The whole request body (style (c) and plain functions take a func.HttpRequest)."""
        chunks = []
        while not self.body_complete:
            message = await self.receive()
            if message["type"] == "http.disconnect":
                raise asyncio.CancelledError("the client disconnected")
            chunks.append(message.get("body", b""))
        return b"".join(chunks)

    async def send(self, message) -> None:
        if message["type"] == "http.response.start":
            self.response_started = True
        elif message["type"] == "http.response.body" and not message.get("more_body", False):
            self.response_complete = True  # the server reports "disconnect" once this is sent
        await self._raw_send(message)

    async def _watch(self) -> None:
        message = await self._raw_receive()
        if message["type"] == "http.disconnect" and not self.response_complete:
            self._disconnected()

    def _disconnected(self) -> None:
        if not self.gone.is_set():
            self.gone.set()
            self.on_disconnect()

    def finish(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
        self.finished.set()


class Pairing:
    """Matches proxied HTTP requests with InvocationRequests by invocation id, either first."""

    def __init__(self) -> None:
        self._slots: typing.Dict[str, asyncio.Future] = {}

    def _slot(self, invocation_id: str) -> asyncio.Future:
        slot = self._slots.get(invocation_id)
        if slot is None:
            slot = self._slots[invocation_id] = asyncio.get_running_loop().create_future()
        return slot

    def offer(self, invocation_id: str, exchange: Exchange) -> bool:
        """Parks an HTTP request; False if one with this id is already parked."""
        slot = self._slot(invocation_id)
        if slot.done():
            return False
        slot.set_result(exchange)
        return True

    def withdraw(self, invocation_id: str, exchange: Exchange) -> None:
        slot = self._slots.get(invocation_id)
        if slot is not None and slot.done() and not slot.cancelled() and slot.result() is exchange:
            del self._slots[invocation_id]

    async def claim(self, invocation_id: str, timeout: float) -> Exchange:
        """The HTTP request of an invocation, waiting for it up to ``timeout`` seconds."""
        slot = self._slot(invocation_id)
        try:
            await asyncio.wait((slot,), timeout=timeout)
        finally:
            if self._slots.get(invocation_id) is slot:
                del self._slots[invocation_id]
        exchange = slot.result() if slot.done() and not slot.cancelled() else None
        if exchange is None or exchange.claimed.done():  # none came, or it gave up waiting
            slot.cancel()
            raise ProxyError(f"no proxied HTTP request with x-ms-invocation-id {invocation_id} "
                             f"reached the worker's HTTP server within {timeout:g} s")
        exchange.claimed.set_result(True)
        return exchange


class HttpProxy:
    """The listening socket, the ASGI entry point and the (lazily started) uvicorn server."""

    def __init__(self) -> None:
        self.pairing = Pairing()
        self.uri = ""
        self.timeout = pairing_timeout()
        self._sock: typing.Optional[socket.socket] = None
        self._path = ""
        self._server = None
        self._task: typing.Optional[asyncio.Task] = None
        self._log = logging.getLogger(LOGGER_NAME)

    # -- binding ---------------------------------------------------------------------------------

    def bind(self, environ: typing.Mapping[str, str]) -> None:
        """Binds the listener (``FUNCTIONS_HOST_HTTP_SOCKET``, else TCP 127.0.0.1:0); logs and
        leaves ``uri`` empty (no proxying) if that fails. Idempotent."""
        if self._sock is not None:
            return
        path = environ.get(SOCKET_ENV, "")
        try:
            if path:
                self._sock = _bind_unix(path)
                self._path = path
                self.uri = "http+unix://" + urllib.parse.quote(path, safe="")
            else:
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sock.bind(("127.0.0.1", 0))
                self._sock = sock
                self.uri = f"http://127.0.0.1:{sock.getsockname()[1]}"
            self._sock.listen(BACKLOG)
            self._sock.setblocking(False)
        except (OSError, ValueError) as exc:
            self._log.error("cannot listen for proxied HTTP requests on %s: %s; streaming "
                            "functions will not stream", path or "127.0.0.1:0", exc)
            if self._sock is not None:
                self._sock.close()
            self._sock, self.uri = None, ""

    @property
    def bound(self) -> bool:
        return self._sock is not None

    def capabilities(self) -> typing.Dict[str, str]:
        """What WorkerInitResponse adds while the listener is bound."""
        if not self.bound:
            return {}
        return {"HttpUri": self.uri, "RequiresRouteParameters": "true",
                "FunctionsHostHttpProxyPerFunction": "true"}

    # -- server ----------------------------------------------------------------------------------

    def ensure_started(self) -> None:
        """Starts uvicorn on the bound socket (once). Raises ProxyError when it cannot."""
        if self._task is not None:
            return
        if self._sock is None:
            raise ProxyError("the worker has no HTTP listener (see the earlier error), so it "
                             "cannot serve streaming functions")
        try:
            import uvicorn
        except ImportError as exc:
            raise ProxyError(f"streaming functions need uvicorn ({exc}); "
                             "pip install 'uvicorn>=0.30,<1'") from None
        config = uvicorn.Config(self, lifespan="off", access_log=False, log_config=None,
                                ws="none", interface="asgi3", server_header=False,
                                date_header=False, timeout_keep_alive=KEEP_ALIVE_SECONDS)
        server = uvicorn.Server(config)
        # The worker owns SIGINT/SIGTERM: uvicorn must neither install nor restore handlers.
        server.capture_signals = contextlib.nullcontext
        if hasattr(server, "install_signal_handlers"):
            server.install_signal_handlers = lambda: None
        logging.getLogger("uvicorn.error").addFilter(_drop_cut_stream_notice)
        self._server = server
        self._task = asyncio.get_running_loop().create_task(server.serve(sockets=[self._sock]))
        self._task.add_done_callback(self._server_ended)

    def _server_ended(self, task: asyncio.Task) -> None:
        if not task.cancelled() and task.exception() is not None:
            self._log.error("the worker's HTTP server stopped: %r", task.exception())

    def close(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._sock is not None and self._task is None:
            self._sock.close()
        if self._path:
            with contextlib.suppress(OSError):
                os.unlink(self._path)

    # -- ASGI ------------------------------------------------------------------------------------

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        invocation_id = next((v.decode("latin-1") for k, v in scope["headers"]
                              if k.lower() == INVOCATION_HEADER), "")
        if not invocation_id:
            await _plain(send, 400, "the request has no x-ms-invocation-id header")
            return
        exchange = Exchange(scope, receive, send)
        if not self.pairing.offer(invocation_id, exchange):
            await _plain(send, 409, f"invocation {invocation_id} already has an HTTP request")
            return
        try:
            await asyncio.wait((exchange.claimed,), timeout=self.timeout)
            if not exchange.claimed.done():
                exchange.claimed.cancel()
                self.pairing.withdraw(invocation_id, exchange)
                await _plain(send, 404, f"no invocation {invocation_id} arrived within "
                                        f"{self.timeout:g} s")
                return
            await exchange.finished.wait()
        except asyncio.CancelledError:  # the worker is going down: stop the invocation too
            exchange.on_disconnect()
            return  # the connection is closed with the server; nothing to report
        if not exchange.response_started:
            await _plain(send, 500, "the function failed before it produced a response")


def _drop_cut_stream_notice(record: logging.LogRecord) -> bool:
    """uvicorn's error for a response left incomplete: here always a stream the worker stopped on
    purpose (client gone, invocation cancelled, worker stopping) or after a failure the dispatcher
    has logged already, with the invocation id."""
    return record.getMessage() != "ASGI callable returned without completing response."


def _bind_unix(path: str) -> socket.socket:
    if not os.path.isabs(path):
        raise ValueError(f"{SOCKET_ENV}={path!r} is not an absolute path")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)  # a stale socket of an earlier worker
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    umask = os.umask(0o177)  # never visible with wider permissions, not even briefly
    try:
        sock.bind(path)
    except OSError:
        sock.close()
        raise
    finally:
        os.umask(umask)
    os.chmod(path, 0o600)
    return sock


async def _plain(send, status: int, text: str) -> None:
    body = text.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body, "more_body": False})
