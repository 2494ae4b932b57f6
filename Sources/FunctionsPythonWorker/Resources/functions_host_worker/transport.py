"""Transport fallbacks: the EventStream on ``grpc.aio`` (used only when ``h2`` is missing or
FUNCTIONS_HOST_WORKER_CLIENT=grpcio asks for it) and the raw length-prefixed Unix-socket framing
(``--functions-uds-path``). The default is :mod:`.h2stream`."""
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


class UnixTransport:
    """functions-host's fast transport: the same StreamingMessages, each framed as a 4-byte big-endian
    length and the protobuf bytes, over a Unix domain socket. Used only when the host passes
    ``--functions-uds-path``. Inbound frames are dispatched straight from the socket callback (no
    reader task or stream buffer in between); frames posted in one event-loop turn go out in one
    write."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._protocol: typing.Optional[_FrameProtocol] = None
        self._transport: typing.Optional[asyncio.Transport] = None
        self._frames: typing.List[bytes] = []
        self._flush_scheduled = False

    async def connect(self) -> None:
        try:
            self._transport, self._protocol = await asyncio.wait_for(
                self._loop.create_unix_connection(_FrameProtocol, self._path),
                CONNECT_TIMEOUT_SECONDS)
        except (OSError, asyncio.TimeoutError) as exc:
            raise ConnectionError(f"could not connect to the functions host at {self._path}: "
                                  f"{exc or 'timed out'}") from None

    def post(self, message) -> None:
        data = message.SerializeToString()
        if threading.get_ident() == self._loop_thread:
            frames = self._frames
            frames.append(len(data).to_bytes(4, "big"))
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
        self._frames += (len(data).to_bytes(4, "big"), data)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_scheduled = False
        frames, self._frames = self._frames, []
        if frames and self._transport is not None and not self._transport.is_closing():
            self._transport.write(b"".join(frames))

    async def serve(self, dispatch: typing.Callable) -> None:
        """Dispatches every inbound message until the host closes the connection."""
        await self._protocol.serve(dispatch)

    async def close(self, flush: bool) -> None:
        if self._transport is None:
            return
        if flush:
            self._flush()
            deadline = self._loop.time() + FLUSH_TIMEOUT_SECONDS
            while (self._transport.get_write_buffer_size() and not self._transport.is_closing()
                   and self._loop.time() < deadline):
                await asyncio.sleep(0.005)
        self._transport.close()


class _FrameProtocol(asyncio.Protocol):
    """Splits the byte stream into length-prefixed StreamingMessages and hands each to the
    dispatch callback as soon as it is complete."""

    def __init__(self) -> None:
        self._dispatch: typing.Optional[typing.Callable] = None
        self._early: typing.List[typing.Any] = []  # parsed before serve() attached a callback
        self._partial = bytearray()                 # the start of an incomplete frame
        self._need = 0                              # bytes that frame needs in all
        self._ended: typing.Optional[asyncio.Future] = None
        self._error: typing.Optional[BaseException] = None
        self._lost = False

    async def serve(self, dispatch: typing.Callable) -> None:
        self._ended = asyncio.get_running_loop().create_future()
        early, self._early = self._early, []
        self._dispatch = dispatch
        for message in early:
            dispatch(message)
        if not self._lost:
            await self._ended
        if self._error is not None:
            raise self._error

    def data_received(self, data: bytes) -> None:
        if self._lost:
            return
        partial = self._partial
        if partial:
            partial += data
            if len(partial) < self._need:
                return
            data = bytes(partial)
            partial.clear()
        parse = protos.StreamingMessage.FromString
        offset, size = 0, len(data)
        try:
            while size - offset >= 4:
                end = offset + 4 + int.from_bytes(data[offset:offset + 4], "big")
                if end > size:
                    break
                message = parse(data[offset + 4:end])
                offset = end
                if self._dispatch is not None:
                    self._dispatch(message)
                else:
                    self._early.append(message)
        except Exception as exc:  # a malformed frame: the connection cannot be trusted any more
            self._end(exc)
            return
        if offset < size:
            partial += data[offset:] if offset else data
            self._need = (int.from_bytes(partial[:4], "big") + 4) if len(partial) >= 4 else 4

    def connection_lost(self, exc: typing.Optional[BaseException]) -> None:
        self._end(exc)

    def _end(self, exc: typing.Optional[BaseException]) -> None:
        if self._lost:
            return
        self._lost = True
        self._error = exc
        self._dispatch = None
        if self._ended is not None and not self._ended.done():
            self._ended.set_result(None)
