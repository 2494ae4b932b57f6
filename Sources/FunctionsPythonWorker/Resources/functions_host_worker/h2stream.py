"""The EventStream as a lean gRPC client: HTTP/2 with prior knowledge (h2c) on the sans-IO ``h2``
library, driven by an asyncio Protocol over a Unix socket or TCP.

Standard gRPC on the wire: ``POST /AzureFunctionsRpcMessages.FunctionRpc/EventStream`` with
``content-type: application/grpc`` and ``te: trailers``; each StreamingMessage framed as a 1-byte
compressed flag (always 0), a 4-byte big-endian length and the protobuf bytes. Cheap per message:

- everything posted in one event-loop iteration goes out in one ``transport.write`` (many gRPC
  messages per DATA frame, up to the host's SETTINGS_MAX_FRAME_SIZE and flow-control window; the
  rest waits for the host's WINDOW_UPDATE);
- inbound DATA frames of the EventStream are cut out of the byte stream here and their messages
  dispatched straight from ``data_received``; WINDOW_UPDATEs are applied to h2's windows here too
  (a gRPC server may send two per message); every other frame (SETTINGS, PING, HEADERS, trailers,
  RST_STREAM, GOAWAY, padded or END_STREAM DATA, anything odd) goes through ``h2``;
- the host gets a large window up front (SETTINGS_INITIAL_WINDOW_SIZE and a connection
  WINDOW_UPDATE) and the consumed bytes back in batches of half that window.
"""
from __future__ import annotations

import asyncio
import struct
import typing
import urllib.parse

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import h2.settings

import FunctionRpc_pb2 as protos

from .constants import EVENT_STREAM_METHOD, WORKER_VERSION

#: The flow-control window granted to the host, for the EventStream and for the connection.
RECEIVE_WINDOW = 1 << 26
#: Returned to the host once this many received bytes are consumed (one WINDOW_UPDATE per batch).
WINDOW_UPDATE_BATCH = RECEIVE_WINDOW // 2
#: The largest frame the host may send (SETTINGS_MAX_FRAME_SIZE).
MAX_INBOUND_FRAME = 1 << 20
_DEFAULT_WINDOW = 65535
_FRAME_HEADER = 9
_DATA = 0
_WINDOW_UPDATE_TYPE = 8
_LARGEST_WINDOW = 2**31 - 1
_END_STREAM_OR_PADDED = 0x1 | 0x8
_WINDOW_UPDATE = struct.Struct(">3sBBII").pack  # length, type 8, flags, stream id, increment
_FRAME_HEADER_FIELDS = struct.Struct(">IBI").unpack_from  # (length << 8 | type), flags, stream id
_MESSAGE_PREFIX_FIELDS = struct.Struct(">BI").unpack_from  # compressed flag, length
_U32 = struct.Struct(">I").unpack_from


class EventStreamEnded(ConnectionError):
    """The host ended the EventStream abnormally (gRPC status, reset, GOAWAY or bad framing)."""


class EventStreamProtocol(asyncio.Protocol):
    """One HTTP/2 connection carrying the EventStream (stream 1)."""

    def __init__(self, authority: str) -> None:
        self._authority = authority
        config = h2.config.H2Configuration(client_side=True, header_encoding=None)
        conn = self._conn = h2.connection.H2Connection(config)
        conn.local_settings = h2.settings.Settings(client=True, initial_values={
            h2.settings.SettingCodes.ENABLE_PUSH: 0,
            h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: 1,
            h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: RECEIVE_WINDOW,
            h2.settings.SettingCodes.MAX_FRAME_SIZE: MAX_INBOUND_FRAME,
            h2.settings.SettingCodes.MAX_HEADER_LIST_SIZE: 1 << 16})
        conn.max_inbound_frame_size = MAX_INBOUND_FRAME
        self._transport: typing.Optional[asyncio.Transport] = None
        self._sid = 0
        self._fast = False               # response headers seen: our DATA frames bypass h2
        self._frame = bytearray()        # the start of an incomplete HTTP/2 frame
        self._frame_need = 0
        self._message = bytearray()      # the start of an incomplete gRPC message
        self._message_need = 0
        self._unacked = 0                # bypassed DATA bytes not yet handed back to the host
        self._pending: typing.List[memoryview] = []  # outbound bytes waiting for window
        self._end_requested = False      # send END_STREAM once _pending is out
        self._local_closed = False       # END_STREAM sent: nothing more goes out
        self._data_frame_header = b""    # type, flags and stream id of our DATA frames
        self._status: typing.Optional[bytes] = None
        self._status_message = b""
        self._dispatch: typing.Optional[typing.Callable] = None
        self._early: typing.List[typing.Any] = []  # parsed before serve() attached a callback
        self._ended: typing.Optional[asyncio.Future] = None
        self._error: typing.Optional[BaseException] = None
        self._done = False
        self._drained: typing.Optional[asyncio.Future] = None
        self._finished: typing.Optional[asyncio.Future] = None

    # -- connection ------------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]
        conn = self._conn
        conn.initiate_connection()
        conn.increment_flow_control_window(RECEIVE_WINDOW - _DEFAULT_WINDOW)
        self._sid = conn.get_next_available_stream_id()
        self._data_frame_header = bytes((_DATA, 0)) + self._sid.to_bytes(4, "big")
        conn.send_headers(self._sid, [
            (b":method", b"POST"), (b":scheme", b"http"), (b":authority", self._authority.encode()),
            (b":path", EVENT_STREAM_METHOD.encode()), (b"content-type", b"application/grpc"),
            (b"te", b"trailers"),
            (b"user-agent", f"functions-host-python-worker/{WORKER_VERSION}".encode())])
        transport.write(conn.data_to_send())  # type: ignore[attr-defined]

    def connection_lost(self, exc: typing.Optional[BaseException]) -> None:
        self._finish(EventStreamEnded(f"the connection to the host was lost: {exc}" if exc else
                                      "the host closed the connection before ending the "
                                      "EventStream"))
        self._resolve_drained()

    def eof_received(self) -> typing.Optional[bool]:
        return None  # close our side too; connection_lost follows

    def pause_writing(self) -> None:
        pass

    def resume_writing(self) -> None:
        self._check_drained()

    # -- inbound ---------------------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self._done:
            return
        partial = self._frame
        if partial:
            partial += data
            if len(partial) < self._frame_need:
                return
            data = bytes(partial)
            partial.clear()
        size, offset, slow = len(data), 0, -1
        sid = self._sid
        header = _FRAME_HEADER_FIELDS
        while size - offset >= _FRAME_HEADER:
            length_kind, flags, stream_id = header(data, offset)
            length, kind = length_kind >> 8, length_kind & 0xFF
            end = offset + _FRAME_HEADER + length
            if end > size:
                break
            if (kind == _DATA and self._fast and not flags & _END_STREAM_OR_PADDED
                    and stream_id & 0x7FFFFFFF == sid and length <= MAX_INBOUND_FRAME):
                if slow >= 0:
                    self._receive_slow(data[slow:offset])
                    slow = -1
                    if self._done:
                        return
                self._unacked += length
                self._receive_messages(data, offset + _FRAME_HEADER, end)
                if self._done:
                    return
            elif self._fast and kind == _WINDOW_UPDATE_TYPE and length == 4:
                if slow >= 0:
                    self._receive_slow(data[slow:offset])
                    slow = -1
                    if self._done:
                        return
                if not self._window_update(stream_id & 0x7FFFFFFF,
                                           _U32(data, offset + _FRAME_HEADER)[0] & 0x7FFFFFFF):
                    self._receive_slow(data[offset:end])  # h2 says what is wrong with it
                    if self._done:
                        return
            elif slow < 0:
                slow = offset
            offset = end
        if slow >= 0:
            self._receive_slow(data[slow:offset])
            if self._done:
                return
        if offset < size:
            partial += data[offset:] if offset else data
            self._frame_need = (_FRAME_HEADER + int.from_bytes(partial[:3], "big")
                                if len(partial) >= 3 else _FRAME_HEADER)
        if self._unacked >= WINDOW_UPDATE_BATCH and not self._transport.is_closing():
            increment, self._unacked = self._unacked, 0
            self._transport.write(_WINDOW_UPDATE(b"\0\0\4", 8, 0, 0, increment)
                                  + _WINDOW_UPDATE(b"\0\0\4", 8, 0, sid, increment))

    def _window_update(self, stream_id: int, increment: int) -> bool:
        """Applies the host's WINDOW_UPDATE to h2's outbound windows (what h2 itself would do for
        an open stream) and sends what was waiting; False leaves an odd one to h2."""
        conn = self._conn
        if stream_id == 0:
            window = conn.outbound_flow_control_window + increment
            if not increment or window > _LARGEST_WINDOW:
                return False
            conn.outbound_flow_control_window = window
        else:
            stream = conn.streams.get(stream_id) if stream_id == self._sid else None
            if stream is None or not stream.open or not increment:
                return False
            window = stream.outbound_flow_control_window + increment
            if window > _LARGEST_WINDOW:
                return False
            stream.outbound_flow_control_window = window
        if self._pending:
            self._pump()
        return True

    def _receive_messages(self, data, start: int, end: int) -> None:
        """Parses the gRPC messages in ``data[start:end]`` (a DATA payload) and dispatches each."""
        partial = self._message
        if partial:
            partial += data[start:end]
            if len(partial) < self._message_need:
                return
            data, start, end = bytes(partial), 0, len(partial)
            partial.clear()
        parse = protos.StreamingMessage.FromString
        prefix = _MESSAGE_PREFIX_FIELDS
        view = None
        while end - start >= 5:
            compressed, length = prefix(data, start)
            if compressed:
                self._fail(EventStreamEnded("the host sent a compressed message; no compression "
                                            "was negotiated"))
                return
            stop = start + 5 + length
            if stop > end:
                break
            if view is None:
                view = memoryview(data)
            try:
                message = parse(view[start + 5:stop])
            except Exception as exc:  # a malformed message: the stream cannot be trusted any more
                self._fail(EventStreamEnded(f"malformed StreamingMessage from the host: {exc}"))
                return
            start = stop
            if self._dispatch is not None:
                self._dispatch(message)  # the dispatcher keeps its handlers' errors to itself
            else:
                self._early.append(message)
        if start < end:
            partial += data[start:end]
            self._message_need = (5 + int.from_bytes(partial[1:5], "big")
                                  if len(partial) >= 5 else 5)

    def _receive_slow(self, frames: bytes) -> None:
        """Hands whole frames to h2 and acts on its events."""
        conn = self._conn
        try:
            events = conn.receive_data(frames)
        except h2.exceptions.ProtocolError as exc:
            self._fail(EventStreamEnded(f"HTTP/2 protocol error from the host: {exc}"))
            return
        for event in events:
            if self._done:
                break
            kind = type(event)
            if kind is h2.events.DataReceived:
                if event.stream_id == self._sid:
                    self._receive_messages(event.data, 0, len(event.data))
                    conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            elif kind is h2.events.WindowUpdated or kind is h2.events.RemoteSettingsChanged:
                self._pump()
            elif kind is h2.events.ResponseReceived:
                self._receive_headers(event.headers, event.stream_ended is not None)
            elif kind is h2.events.TrailersReceived:
                self._receive_trailers(event.headers)
            elif kind is h2.events.StreamEnded:
                self._stream_ended()
            elif kind is h2.events.StreamReset:
                self._finish(EventStreamEnded(
                    f"the host reset the EventStream (HTTP/2 error {int(event.error_code)})"))
            elif kind is h2.events.ConnectionTerminated:
                if event.error_code or (event.last_stream_id or 0) < self._sid:
                    self._finish(EventStreamEnded(
                        f"the host closed the connection (GOAWAY, HTTP/2 error "
                        f"{int(event.error_code)}, {event.additional_data or b''!r})"))
        self._write_h2()

    def _receive_headers(self, headers, trailers_only: bool) -> None:
        fields = dict(headers)
        status = fields.get(b":status", b"")
        content_type = fields.get(b"content-type", b"")
        if trailers_only:
            self._receive_trailers(headers)
        elif status != b"200" or not content_type.startswith(b"application/grpc"):
            self._fail(EventStreamEnded(
                f"the host answered the EventStream with HTTP status {status.decode() or '?'} "
                f"and content-type {content_type.decode() or '(none)'!r}; expected 200 "
                "application/grpc"))
        else:
            self._fast = True

    def _receive_trailers(self, headers) -> None:
        fields = dict(headers)
        self._status = fields.get(b"grpc-status", b"")
        self._status_message = fields.get(b"grpc-message", b"")

    def _stream_ended(self) -> None:
        self._fast = False
        if self._status is None:
            self._finish(EventStreamEnded("the host ended the EventStream without a grpc-status"))
        elif self._status != b"0":
            message = urllib.parse.unquote(self._status_message.decode(errors="replace"))
            self._finish(EventStreamEnded(
                f"the host ended the EventStream: grpc-status {self._status.decode()} "
                f"{message}".rstrip()))
        else:
            self._finish(None)

    # -- outbound --------------------------------------------------------------------------------

    def send(self, payload: bytes) -> None:
        """Sends gRPC-framed bytes: now as far as the host's window allows, the rest on its
        WINDOW_UPDATE."""
        if self._done or self._local_closed or self._transport is None:
            return
        self._pending.append(memoryview(payload))
        if len(self._pending) == 1:
            self._pump()

    @property
    def blocked_bytes(self) -> int:
        """Outbound bytes waiting for the host's flow-control window."""
        return sum(len(chunk) for chunk in self._pending)

    def finish_sending(self) -> "asyncio.Future":
        """Ends our half of the stream once everything queued is out; the future resolves when
        the socket's write buffer is empty (or the connection is gone)."""
        self._drained = asyncio.get_running_loop().create_future()
        if not self._done and not self._end_requested and not self._local_closed:
            self._end_requested = True
            self._pump()
        if self._transport is not None and not self._transport.is_closing():
            self._transport.set_write_buffer_limits(high=0)  # resume_writing once it is empty
        self._check_drained()
        return self._drained

    def _pump(self) -> None:
        """Sends what the windows allow, in DATA frames of at most the host's max frame size,
        then END_STREAM if asked and all is out: one transport write."""
        if self._done:
            return
        conn, sid, pending = self._conn, self._sid, self._pending
        before = conn.data_to_send()  # frames h2 queued earlier go first
        frames: typing.List[typing.Any] = []
        try:
            # Once the stream is open both ways, DATA frames are built here: what h2's send_data
            # does for an open stream (charge both windows), without its frame objects.
            stream = conn.streams.get(sid) if self._fast else None
            while pending:
                window = conn.local_flow_control_window(sid)
                if window <= 0:
                    break
                chunk = pending[0]
                size = min(window, conn.max_outbound_frame_size, len(chunk))
                if stream is not None:
                    frames.append(size.to_bytes(3, "big") + self._data_frame_header)
                    frames.append(chunk[:size])
                    conn.outbound_flow_control_window -= size
                    stream.outbound_flow_control_window -= size
                else:
                    conn.send_data(sid, chunk[:size])
                if size == len(chunk):
                    pending.pop(0)
                else:
                    pending[0] = chunk[size:]
            if not pending and self._end_requested:
                self._end_requested = False
                self._local_closed = True
                conn.end_stream(sid)
        except h2.exceptions.H2Error as exc:  # the stream was closed under us
            self._fail(EventStreamEnded(f"cannot send on the EventStream: {exc}"))
            return
        after = conn.data_to_send()
        if frames:
            data = b"".join([before, *frames, after])
        else:
            data = before + after if before else after
        if data and self._transport is not None and not self._transport.is_closing():
            self._transport.write(data)
        self._check_drained()

    def _write_h2(self) -> None:
        data = self._conn.data_to_send()
        if data and self._transport is not None and not self._transport.is_closing():
            self._transport.write(data)
        self._check_drained()

    def _check_drained(self) -> None:
        if (self._drained is not None and not self._pending and self._transport is not None
                and self._transport.get_write_buffer_size() == 0):
            self._resolve_drained()

    def _resolve_drained(self) -> None:
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)

    # -- the end ---------------------------------------------------------------------------------

    async def serve(self, dispatch: typing.Callable) -> None:
        """Dispatches every inbound message until the stream ends; raises EventStreamEnded if it
        ended abnormally."""
        self._ended = asyncio.get_running_loop().create_future()
        early, self._early = self._early, []
        self._dispatch = dispatch
        for message in early:
            dispatch(message)
        if not self._done:
            await self._ended
        if self._error is not None:
            raise self._error

    def close(self) -> None:
        """Says goodbye (GOAWAY, no error) on a connection still open, and closes it."""
        transport = self._transport
        if transport is None or transport.is_closing():
            return
        try:
            self._conn.close_connection()
            transport.write(self._conn.data_to_send())
        except h2.exceptions.H2Error:
            pass
        transport.close()

    def finished(self) -> "asyncio.Future":
        """Resolves when the stream has ended, whichever way."""
        if self._finished is None:
            self._finished = asyncio.get_running_loop().create_future()
            if self._done:
                self._finished.set_result(None)
        return self._finished

    def _fail(self, error: BaseException) -> None:
        """A protocol violation: tell the host (RST_STREAM) and end."""
        if not self._done:
            try:
                self._conn.reset_stream(self._sid, h2.errors.ErrorCodes.PROTOCOL_ERROR)
            except h2.exceptions.H2Error:
                pass
            data = self._conn.data_to_send()
            if data and self._transport is not None and not self._transport.is_closing():
                self._transport.write(data)
        self._finish(error)

    def _finish(self, error: typing.Optional[BaseException]) -> None:
        if self._done:
            return
        self._done = True
        self._fast = False
        self._error = error
        self._dispatch = None
        self._pending.clear()
        for future in (self._ended, self._finished):
            if future is not None and not future.done():
                future.set_result(None)
        self._resolve_drained()
