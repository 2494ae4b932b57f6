"""H2Transport: the worker's side of the EventStream on :mod:`.h2stream`'s protocol, over a Unix
socket or TCP. Messages posted from any thread, in one event-loop iteration, leave in one write."""
from __future__ import annotations

import asyncio
import struct
import threading
import typing

from .constants import CONNECT_TIMEOUT_SECONDS, FLUSH_TIMEOUT_SECONDS
from .h2stream import EventStreamProtocol

_MESSAGE_PREFIX = struct.Struct(">BI").pack  # gRPC: compressed flag (0), big-endian length


class H2Transport:
    """The EventStream over HTTP/2 (see the module docstring) on a Unix socket (``path``) or TCP
    (``host``/``port``). ``post`` may be called from any thread; ordering is preserved."""

    def __init__(self, path: typing.Optional[str] = None, host: typing.Optional[str] = None,
                 port: typing.Optional[int] = None) -> None:
        if not path and not (host and port):
            raise ValueError("H2Transport needs a Unix socket path or a host and port")
        self._path, self._host, self._port = path, host, port
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._protocol: typing.Optional[EventStreamProtocol] = None
        self._transport: typing.Optional[asyncio.Transport] = None
        self._frames: typing.List[bytes] = []
        self._flush_scheduled = False

    @property
    def target(self) -> str:
        return self._path or f"{self._host}:{self._port}"

    async def connect(self) -> None:
        authority = "localhost" if self._path else f"{self._host}:{self._port}"
        factory = lambda: EventStreamProtocol(authority)  # noqa: E731
        try:
            if self._path:
                connecting = self._loop.create_unix_connection(factory, self._path)
            else:
                connecting = self._loop.create_connection(factory, self._host, self._port)
            self._transport, self._protocol = await asyncio.wait_for(
                connecting, CONNECT_TIMEOUT_SECONDS)
        except (OSError, asyncio.TimeoutError) as exc:
            raise ConnectionError(f"could not connect to the functions host at {self.target}: "
                                  f"{exc or 'timed out'}") from None
        if self._frames and not self._flush_scheduled:
            self._flush_scheduled = True
            self._loop.call_soon(self._flush)

    def post(self, message) -> None:
        data = message.SerializeToString()
        if threading.get_ident() == self._loop_thread:
            frames = self._frames
            frames.append(_MESSAGE_PREFIX(0, len(data)))
            frames.append(data)
            if not self._flush_scheduled:
                self._flush_scheduled = True
                self._loop.call_soon(self._flush)
        else:
            try:
                self._loop.call_soon_threadsafe(self._queue_frame, data)
            except RuntimeError:  # loop closed: the connection is gone
                pass

    def _queue_frame(self, data: bytes) -> None:
        self._frames += (_MESSAGE_PREFIX(0, len(data)), data)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_scheduled = False
        if self._protocol is None:
            return  # not connected yet: connect() flushes
        frames, self._frames = self._frames, []
        if frames:
            self._protocol.send(b"".join(frames))

    async def serve(self, dispatch: typing.Callable) -> None:
        """Dispatches every inbound message until the host ends the stream."""
        await self._protocol.serve(dispatch)

    async def close(self, flush: bool) -> None:
        if self._transport is None:
            return
        if flush:  # everything out, END_STREAM, then (gracefully) the host's end of the stream
            self._flush()
            deadline = self._loop.time() + FLUSH_TIMEOUT_SECONDS
            try:
                await asyncio.wait_for(self._protocol.finish_sending(), FLUSH_TIMEOUT_SECONDS)
                await asyncio.wait_for(self._protocol.finished(),
                                       max(0.0, deadline - self._loop.time()))
            except asyncio.TimeoutError:
                pass
        self._protocol.close()
