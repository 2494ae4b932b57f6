"""The h2 EventStream client (functions_host_worker.h2stream, .h2client) against a real gRPC server: grpc.aio
serving FunctionRpc.EventStream (the generated servicer) over TCP and over a ``unix:`` path, plus
an in-memory h2 server peer where the test must control frame boundaries and windows exactly."""
import asyncio
import contextlib
import os
import tempfile
import threading

import grpc
import grpc.aio
import h2.config
import h2.connection
import h2.events
import h2.settings
import pytest

import FunctionRpc_pb2 as protos
import FunctionRpc_pb2_grpc
from functions_host_worker import h2stream
from functions_host_worker.h2client import H2Transport
from functions_host_worker.h2stream import EventStreamEnded, EventStreamProtocol

GUARD = 30.0  # seconds; a failure guard, never a synchronisation mechanism
BIG = 20 * 1024 * 1024 + 17


def log_message(text: str) -> protos.StreamingMessage:
    return protos.StreamingMessage(rpc_log=protos.RpcLog(message=text))


class Servicer(FunctionRpc_pb2_grpc.FunctionRpcServicer):
    """Records what the worker sends; sends what the test queues (None ends the stream with OK,
    a grpc.StatusCode aborts it). The reader starts only once ``reading`` is set."""

    def __init__(self) -> None:
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.outbox: asyncio.Queue = asyncio.Queue()
        self.reading = asyncio.Event()
        self.reading.set()
        self.metadata = None
        self.grpc_server = None

    async def EventStream(self, request_iterator, context):
        self.metadata = dict(context.invocation_metadata())

        async def pump():
            await self.reading.wait()
            async for message in request_iterator:
                self.inbox.put_nowait(message)
            self.inbox.put_nowait(None)  # the worker ended its half of the stream: end ours
            self.outbox.put_nowait(None)

        reader = asyncio.ensure_future(pump())
        try:
            while True:
                item = await self.outbox.get()
                if item is None:
                    return
                if isinstance(item, grpc.StatusCode):
                    await context.abort(item, "stopped by the test")
                yield item
        finally:
            reader.cancel()

    async def take(self, count: int):
        return [await asyncio.wait_for(self.inbox.get(), GUARD) for _ in range(count)]


class Client:
    """An H2Transport plus a task dispatching every inbound message into a queue."""

    def __init__(self, transport: H2Transport) -> None:
        self.transport = transport
        self.messages: asyncio.Queue = asyncio.Queue()
        self.serving = None

    async def start(self) -> "Client":
        await self.transport.connect()
        self.serving = asyncio.ensure_future(self.transport.serve(self.messages.put_nowait))
        return self

    async def take(self, count: int):
        return [await asyncio.wait_for(self.messages.get(), GUARD) for _ in range(count)]

    async def ended(self):
        """Waits for the stream to end; returns the error it ended with (None if clean)."""
        try:
            await asyncio.wait_for(asyncio.shield(self.serving), GUARD)
        except EventStreamEnded as exc:
            return exc
        return None


@contextlib.asynccontextmanager
async def served(kind: str):
    """A grpc.aio EventStream server on TCP or a Unix socket, and a connected client."""
    servicer = Servicer()
    server = grpc.aio.server(options=[("grpc.max_receive_message_length", -1),
                                      ("grpc.max_send_message_length", -1)])
    FunctionRpc_pb2_grpc.add_FunctionRpcServicer_to_server(servicer, server)
    servicer.grpc_server = server
    with tempfile.TemporaryDirectory(prefix="h2stream-") as folder:
        if kind == "tcp":
            port = server.add_insecure_port("127.0.0.1:0")
            transport = H2Transport(host="127.0.0.1", port=port)
        else:
            path = os.path.join(folder, "host.sock")
            server.add_insecure_port(f"unix:{path}")
            transport = H2Transport(path=path)
        await server.start()
        client = await Client(transport).start()
        try:
            yield servicer, client
        finally:
            await transport.close(flush=False)
            await server.stop(0)
            if client.serving is not None:
                client.serving.cancel()


def run(coroutine):
    async def guarded():
        return await asyncio.wait_for(coroutine, 2 * GUARD)
    return asyncio.run(guarded())


@pytest.fixture(params=["tcp", "unix"])
def kind(request):
    return request.param


def test_start_stream_goes_first_with_grpc_headers(kind):
    async def scenario():
        async with served(kind) as (server, client):
            client.transport.post(protos.StreamingMessage(
                request_id="r", start_stream=protos.StartStream(worker_id="w")))
            client.transport.post(log_message("after"))
            first, second = await server.take(2)
            assert first.WhichOneof("content") == "start_stream"
            assert first.start_stream.worker_id == "w"
            assert second.rpc_log.message == "after"
            assert server.metadata["user-agent"].startswith("functions-host-python-worker/")
    run(scenario())


def test_many_messages_round_trip_in_order(kind):
    count = 3000

    async def scenario():
        async with served(kind) as (server, client):
            for i in range(count):
                client.transport.post(log_message(f"up {i}"))
                server.outbox.put_nowait(log_message(f"down {i}"))
            up = await server.take(count)
            down = await client.take(count)
            assert [m.rpc_log.message for m in up] == [f"up {i}" for i in range(count)]
            assert [m.rpc_log.message for m in down] == [f"down {i}" for i in range(count)]
    run(scenario())


def test_a_20_mib_message_each_way(kind):
    async def scenario():
        async with served(kind) as (server, client):
            client.transport.post(log_message("u" * BIG))
            client.transport.post(log_message("small after big"))
            server.outbox.put_nowait(log_message("d" * BIG))
            server.outbox.put_nowait(log_message("small after big"))
            big_up, small_up = await server.take(2)
            big_down, small_down = await client.take(2)
            assert big_up.rpc_log.message == "u" * BIG
            assert big_down.rpc_log.message == "d" * BIG
            assert small_up.rpc_log.message == small_down.rpc_log.message == "small after big"
    run(scenario())


def test_sending_waits_for_the_servers_window_then_resumes(kind):
    async def scenario():
        async with served(kind) as (server, client):
            server.reading.clear()  # the server reads nothing yet
            client.transport.post(log_message("x" * BIG))
            client.transport._flush()
            protocol = client.transport._protocol
            assert protocol.blocked_bytes > 0  # more than any initial window: queued
            client.transport.post(log_message("queued behind"))
            server.reading.set()
            big, after = await server.take(2)
            assert big.rpc_log.message == "x" * BIG
            assert after.rpc_log.message == "queued behind"
            assert protocol.blocked_bytes == 0
    run(scenario())


def test_closing_with_flush_delivers_everything_then_ends_the_request_stream(kind):
    async def scenario():
        async with served(kind) as (server, client):
            for i in range(500):
                client.transport.post(log_message(f"{i}" * 100))
            client.transport.post(log_message("x" * (1 << 20)))  # beyond the first window
            await client.transport.close(flush=True)
            assert await client.ended() is None  # the server answered END_STREAM with its own
            received = await server.take(502)
            assert [m.rpc_log.message for m in received[:500]] == [f"{i}" * 100
                                                                   for i in range(500)]
            assert received[500].rpc_log.message == "x" * (1 << 20)
            assert received[501] is None
    run(scenario())


def test_server_ending_the_stream_ends_serve(kind):
    async def scenario():
        async with served(kind) as (server, client):
            server.outbox.put_nowait(log_message("last"))
            server.outbox.put_nowait(None)  # handler returns: trailers with grpc-status 0
            assert (await client.take(1))[0].rpc_log.message == "last"
            assert await client.ended() is None
    run(scenario())


def test_server_aborting_the_stream_is_an_error_with_its_status(kind):
    async def scenario():
        async with served(kind) as (server, client):
            server.outbox.put_nowait(grpc.StatusCode.UNAVAILABLE)
            error = await client.ended()
            assert isinstance(error, EventStreamEnded)
            assert "grpc-status 14" in str(error) and "stopped by the test" in str(error)
    run(scenario())


def test_server_going_away_ends_serve(kind):
    async def scenario():
        async with served(kind) as (server, client):
            client.transport.post(log_message("hello"))
            await server.take(1)
            stopping = asyncio.ensure_future(server.grpc_server.stop(0))  # GOAWAY, then closes
            assert isinstance(await client.ended(), EventStreamEnded)
            await stopping
    run(scenario())


def test_posts_from_threads_keep_each_threads_order(kind):
    threads, per_thread = 8, 400

    async def scenario():
        async with served(kind) as (server, client):
            client.transport.post(log_message("loop first"))

            def poster(t: int) -> None:
                for i in range(per_thread):
                    client.transport.post(log_message(f"{t} {i}"))

            workers = [threading.Thread(target=poster, args=(t,)) for t in range(threads)]
            for worker in workers:
                worker.start()
            received = await server.take(1 + threads * per_thread)
            for worker in workers:
                worker.join()
            assert received[0].rpc_log.message == "loop first"
            seen = {t: [] for t in range(threads)}
            for message in received[1:]:
                t, i = map(int, message.rpc_log.message.split())
                seen[t].append(i)
            assert all(order == list(range(per_thread)) for order in seen.values())
    run(scenario())


# -- against an in-memory h2 server peer: exact frame boundaries and windows ----------------------

class MemoryTransport:
    """Collects what the protocol writes; never buffers."""

    def __init__(self) -> None:
        self.written = bytearray()
        self.closed = False

    def write(self, data) -> None:
        self.written += data

    def take(self) -> bytes:
        data, self.written = bytes(self.written), bytearray()
        return data

    def is_closing(self) -> bool:
        return self.closed

    def get_write_buffer_size(self) -> int:
        return 0

    def set_write_buffer_limits(self, high=None, low=None) -> None:
        pass

    def close(self) -> None:
        self.closed = True


class Peer:
    """The server half of one connection, on h2 itself, wired to an EventStreamProtocol."""

    def __init__(self, initial_window: int = 65535) -> None:
        self.conn = h2.connection.H2Connection(
            h2.config.H2Configuration(client_side=False, header_encoding=None))
        self.conn.local_settings = h2.settings.Settings(client=False, initial_values={
            h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: initial_window})
        self.conn.initiate_connection()
        self.protocol = EventStreamProtocol("test")
        self.wire = MemoryTransport()
        self.protocol.connection_made(self.wire)
        self.received = bytearray()  # DATA payload bytes the client sent, in order
        self.events = []

    def pump_from_client(self) -> None:
        for event in self.conn.receive_data(self.wire.take()):
            self.events.append(event)
            if isinstance(event, h2.events.DataReceived):
                self.received += event.data

    def to_client(self, data: bytes, chunk: int = 0) -> None:
        """Delivers bytes to the client, ``chunk`` bytes per data_received (0: all at once)."""
        step = chunk or max(1, len(data))
        for offset in range(0, len(data), step):
            self.protocol.data_received(data[offset:offset + step])

    def respond(self) -> None:
        self.pump_from_client()
        self.conn.send_headers(1, [(b":status", b"200"), (b"content-type", b"application/grpc")])


def grpc_frame(message) -> bytes:
    data = message.SerializeToString()
    return b"\0" + len(data).to_bytes(4, "big") + data


def test_messages_split_anyhow_across_frames_and_reads():
    async def scenario():
        peer = Peer()
        peer.respond()
        texts = [f"message {i} " + "z" * (i * 37) for i in range(40)]
        stream = b"".join(grpc_frame(log_message(t)) for t in texts)
        # DATA frames cut at odd places: many messages in one frame, one message over several,
        # a cut inside the 5-byte prefix.
        for start, stop in ((0, 3), (3, 2000), (2000, 2001), (2001, 9000), (9000, len(stream))):
            peer.conn.send_data(1, stream[start:stop])
        peer.conn.send_headers(1, [(b"grpc-status", b"0")], end_stream=True)
        got = []
        serving = asyncio.ensure_future(peer.protocol.serve(got.append))
        peer.to_client(peer.conn.data_to_send(), chunk=7)  # and every read cuts frames too
        await asyncio.wait_for(serving, GUARD)
        assert [m.rpc_log.message for m in got] == texts
    run(scenario())


def test_sending_stops_at_the_window_and_resumes_on_window_update():
    peer = Peer(initial_window=65535)
    peer.respond()
    peer.to_client(peer.conn.data_to_send())
    payload = os.urandom(200_000)
    peer.protocol.send(payload)
    peer.pump_from_client()
    assert len(peer.received) == 65535 and peer.protocol.blocked_bytes == 200_000 - 65535
    peer.conn.increment_flow_control_window(50_000, 1)
    peer.conn.increment_flow_control_window(50_000)
    peer.to_client(peer.conn.data_to_send())
    peer.pump_from_client()
    assert len(peer.received) == 115_535
    peer.conn.increment_flow_control_window(200_000, 1)
    peer.conn.increment_flow_control_window(200_000)
    peer.to_client(peer.conn.data_to_send())
    peer.pump_from_client()
    assert bytes(peer.received) == payload and peer.protocol.blocked_bytes == 0


def test_received_data_is_handed_back_in_batches(monkeypatch):
    monkeypatch.setattr(h2stream, "WINDOW_UPDATE_BATCH", 100_000)

    def window_updates():
        peer.pump_from_client()
        updates = [e for e in peer.events if isinstance(e, h2.events.WindowUpdated)]
        peer.events.clear()
        return sorted((e.stream_id, e.delta) for e in updates)

    peer = Peer()
    peer.respond()
    peer.to_client(peer.conn.data_to_send())
    window_updates()  # the client's opening connection WINDOW_UPDATE
    one = grpc_frame(log_message("w" * 1000))
    for _ in range(95):  # ~96 KB in 95 DATA frames: below the batch, nothing handed back yet
        peer.conn.send_data(1, one)
    peer.to_client(peer.conn.data_to_send())
    assert window_updates() == []
    for _ in range(10):
        peer.conn.send_data(1, one)
    peer.to_client(peer.conn.data_to_send())
    assert window_updates() == [(0, 105 * len(one)), (1, 105 * len(one))]  # one frame each


def test_the_client_opens_with_big_windows_and_grpc_request_headers():
    peer = Peer()
    peer.pump_from_client()
    request = next(e for e in peer.events if isinstance(e, h2.events.RequestReceived))
    headers = dict(request.headers)
    assert headers[b":method"] == b"POST" and headers[b"te"] == b"trailers"
    assert headers[b":path"] == b"/AzureFunctionsRpcMessages.FunctionRpc/EventStream"
    assert headers[b"content-type"] == b"application/grpc"
    assert peer.conn.remote_settings.initial_window_size == h2stream.RECEIVE_WINDOW
    assert peer.conn.remote_settings.max_frame_size == h2stream.MAX_INBOUND_FRAME
    assert peer.conn.local_flow_control_window(1) == h2stream.RECEIVE_WINDOW


def test_a_non_grpc_answer_ends_the_stream_with_a_clear_error():
    async def scenario():
        peer = Peer()
        peer.pump_from_client()
        peer.conn.send_headers(1, [(b":status", b"404"), (b"content-type", b"text/plain")])
        serving = asyncio.ensure_future(peer.protocol.serve(lambda m: None))
        peer.to_client(peer.conn.data_to_send())
        with pytest.raises(EventStreamEnded, match="HTTP status 404"):
            await asyncio.wait_for(serving, GUARD)
    run(scenario())


def test_a_zero_window_update_is_a_protocol_error_not_a_fast_path_no_op():
    async def scenario():
        peer = Peer()
        peer.respond()
        serving = asyncio.ensure_future(peer.protocol.serve(lambda m: None))
        peer.to_client(peer.conn.data_to_send())
        peer.to_client(b"\0\0\4\x08\0" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big"))
        with pytest.raises(EventStreamEnded, match="protocol error"):
            await asyncio.wait_for(serving, GUARD)
    run(scenario())


def test_a_connection_closed_mid_stream_ends_serve_with_an_error(kind):
    async def scenario():
        async with served(kind) as (server, client):
            client.transport.post(log_message("hello"))
            await server.take(1)
            client.transport._transport.abort()  # the socket goes away under the stream
            error = await client.ended()
            assert isinstance(error, EventStreamEnded) and "connection" in str(error)
    run(scenario())


def test_a_malformed_or_compressed_message_ends_the_stream_with_a_clear_error():
    async def scenario(payload: bytes, expected: str):
        peer = Peer()
        peer.respond()
        serving = asyncio.ensure_future(peer.protocol.serve(lambda m: None))
        peer.conn.send_data(1, payload)
        peer.to_client(peer.conn.data_to_send())
        with pytest.raises(EventStreamEnded, match=expected):
            await asyncio.wait_for(serving, GUARD)
        peer.pump_from_client()
        assert any(isinstance(e, h2.events.StreamReset) for e in peer.events)  # told the host

    run(scenario(b"\0\0\0\0\3\xff\xff\xff", "malformed StreamingMessage"))
    run(scenario(b"\1\0\0\0\1\0", "compressed"))
