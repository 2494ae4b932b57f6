"""Transport fallback: the EventStream on ``grpc.aio`` (used only when ``h2`` is missing or
FUNCTIONS_HOST_WORKER_CLIENT=grpcio asks for it). The default is :mod:`.h2stream`."""
from __future__ import annotations

import asyncio
import threading
import typing

import FunctionRpc_pb2 as protos

from .constants import CONNECT_TIMEOUT_SECONDS, EVENT_STREAM_METHOD, FLUSH_TIMEOUT_SECONDS


class Transport:
    """The gRPC bidi stream. ``post`` may be called from any thread; ordering is preserved."""

    def __init__(self, host: str, port: typing.Optional[int] = None) -> None:
        self._target = host if port is None else f"{host}:{port}"  # or "unix:/path"
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._queue: asyncio.Queue = asyncio.Queue()
        self._drained = asyncio.Event()
        self._channel = None  # grpc.aio.Channel
        self._call = None

    async def connect(self) -> None:
        import grpc.aio  # imported only when this fallback is used

        self._channel = grpc.aio.insecure_channel(self._target, options=[
            ("grpc.max_send_message_length", -1), ("grpc.max_receive_message_length", -1),
            ("grpc.enable_http_proxy", 0)])
        try:
            await asyncio.wait_for(self._channel.channel_ready(), CONNECT_TIMEOUT_SECONDS)
        except asyncio.TimeoutError:
            await self._channel.close()
            raise ConnectionError(f"could not connect to the functions host at {self._target} "
                                  f"within {CONNECT_TIMEOUT_SECONDS:g} s") from None
        method = self._channel.stream_stream(
            EVENT_STREAM_METHOD, request_serializer=protos.StreamingMessage.SerializeToString,
            response_deserializer=protos.StreamingMessage.FromString)
        self._call = method(self._outbound())

    async def _outbound(self):
        get = self._queue.get
        while True:
            message = await get()  # grpc awaits each write before asking for the next one
            if message is None:
                break
            yield message
        self._drained.set()

    def post(self, message) -> None:
        if threading.get_ident() == self._loop_thread:
            self._queue.put_nowait(message)
        else:
            try:
                self._loop.call_soon_threadsafe(self._queue.put_nowait, message)
            except RuntimeError:  # loop closed: the stream is gone, nothing to deliver to
                pass

    def inbound(self):
        return self._call

    async def close(self, flush: bool) -> None:
        if flush and self._call is not None:
            self._queue.put_nowait(None)
            try:
                await asyncio.wait_for(self._drained.wait(), FLUSH_TIMEOUT_SECONDS)
            except asyncio.TimeoutError:
                pass
        if self._call is not None:
            self._call.cancel()
        if self._channel is not None:
            await self._channel.close()
