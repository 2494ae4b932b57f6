"""A tiny functions host for end-to-end tests. Transports:

- ``grpc``: a grpc.aio server speaking EventStream on TCP (the worker's h2 client connects);
- ``h2uds``: the same server on a Unix socket (``--functions-h2-uds-path``);
- ``grpcio``: as ``grpc``, with the worker forced onto its grpc.aio fallback
  (FUNCTIONS_HOST_WORKER_CLIENT=grpcio).

It launches worker.py as a subprocess with the host's launch arguments and lets a test send
StreamingMessages and wait for specific replies. Waits are event driven; timeouts only guard
against hangs.
"""
import asyncio
import contextlib
import os
import shutil
import sys
import tempfile
import urllib.parse
import uuid
from pathlib import Path

import grpc
import grpc.aio

import FunctionRpc_pb2 as protos

from conftest import WORKER_SCRIPT

GUARD = 20.0  # seconds; a failure guard, never a synchronisation mechanism


class StreamClosed(AssertionError):
    pass


class FakeHost:
    def __init__(self, transport: str = "grpc") -> None:
        self.transport = transport
        self.h2_uds_path = None    # gRPC on a Unix socket (--functions-h2-uds-path)
        self._uds_dir = None
        self.received = []  # every message from the worker, in arrival order
        self._inbox: asyncio.Queue = asyncio.Queue()
        self._outbox: asyncio.Queue = asyncio.Queue()
        self._unclaimed = []  # received but not yet returned by expect()
        self._server = None
        self.port = 0

    async def start(self) -> None:
        self._server = grpc.aio.server()
        handler = grpc.method_handlers_generic_handler(
            "AzureFunctionsRpcMessages.FunctionRpc",
            {"EventStream": grpc.stream_stream_rpc_method_handler(
                self._event_stream,
                request_deserializer=protos.StreamingMessage.FromString,
                response_serializer=protos.StreamingMessage.SerializeToString)})
        self._server.add_generic_rpc_handlers((handler,))
        if self.transport == "h2uds":
            self._uds_dir = tempfile.TemporaryDirectory(prefix="fakehost-")
            self.h2_uds_path = os.path.join(self._uds_dir.name, "host.sock")
            self._server.add_insecure_port(f"unix:{self.h2_uds_path}")
            self.port = 1  # a placeholder, as the host passes one with a socket path
        else:
            self.port = self._server.add_insecure_port("127.0.0.1:0")
        await self._server.start()

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.stop(0)
            if self._uds_dir is not None:
                self._uds_dir.cleanup()

    async def _event_stream(self, request_iterator, context):
        async def pump():
            try:
                async for message in request_iterator:
                    self.received.append(message)
                    self._inbox.put_nowait(message)
            finally:
                self._inbox.put_nowait(None)

        reader = asyncio.ensure_future(pump())
        try:
            while True:
                message = await self._outbox.get()
                if message is None:
                    return
                yield message
        finally:
            reader.cancel()

    def send(self, **content) -> None:
        self._outbox.put_nowait(protos.StreamingMessage(**content))

    def close_stream(self) -> None:
        self._outbox.put_nowait(None)

    async def expect(self, kind: str, predicate=lambda m: True, timeout: float = GUARD):
        """Returns the oldest not yet expected message of ``kind`` satisfying ``predicate``,
        waiting for it if needed. Messages it passes over stay available to later calls."""
        def matches(message):
            return message.WhichOneof("content") == kind and predicate(message)

        async def wait():
            for index, message in enumerate(self._unclaimed):
                if matches(message):
                    return self._unclaimed.pop(index)
            while True:
                message = await self._inbox.get()
                if message is None:
                    self._inbox.put_nowait(None)
                    raise StreamClosed(f"stream closed while waiting for {kind}")
                if matches(message):
                    return message
                self._unclaimed.append(message)
        return await asyncio.wait_for(wait(), timeout)

    def logs(self, invocation_id=None):
        return [m.rpc_log for m in self.received if m.WhichOneof("content") == "rpc_log"
                and (invocation_id is None or m.rpc_log.invocation_id == invocation_id)]

    def index_of(self, predicate) -> int:
        return next(i for i, m in enumerate(self.received) if predicate(m))


class WorkerProcess:
    def __init__(self, process) -> None:
        self.process = process
        self.stdout = bytearray()
        self.stderr = bytearray()
        self._pumps = [asyncio.ensure_future(self._drain(process.stdout, self.stdout)),
                       asyncio.ensure_future(self._drain(process.stderr, self.stderr))]

    @staticmethod
    async def _drain(stream, sink) -> None:
        while True:
            chunk = await stream.read(65536)
            if not chunk:
                return
            sink.extend(chunk)

    async def wait(self, timeout: float = GUARD) -> int:
        code = await asyncio.wait_for(self.process.wait(), timeout)
        await asyncio.gather(*self._pumps)
        return code

    def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()

    def output(self) -> str:
        return (f"--- worker stdout ---\n{self.stdout.decode(errors='replace')}\n"
                f"--- worker stderr ---\n{self.stderr.decode(errors='replace')}")


async def launch_worker(port: int, app_dir, *, worker_id: str, request_id: str = "req-1",
                        dialect: str = "both", env=None,
                        h2_uds_path=None) -> WorkerProcess:
    args = [sys.executable, str(WORKER_SCRIPT)]
    if dialect in ("classic", "both"):
        args += ["--host", "127.0.0.1", "--port", str(port), "--workerId", worker_id,
                 "--requestId", request_id, "--grpcMaxMessageLength", "2147483647"]
    if dialect in ("functions", "both"):
        args += ["--functions-uri", f"http://127.0.0.1:{port}/",
                 "--functions-worker-id", worker_id, "--functions-request-id", request_id,
                 "--functions-grpc-max-message-length", "2147483647"]
    if h2_uds_path:
        args += ["--functions-h2-uds-path", h2_uds_path]
    environment = dict(os.environ)
    environment.update({"FUNCTIONS_WORKER_DIRECTORY": str(WORKER_SCRIPT.parent),
                        "FUNCTIONS_APPLICATION_DIRECTORY": str(app_dir),
                        "AzureWebJobsScriptRoot": str(app_dir),
                        "PYTHONUNBUFFERED": "1"})
    environment.update(env or {})
    process = await asyncio.create_subprocess_exec(
        *args, cwd=str(app_dir), env=environment,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    return WorkerProcess(process)


@contextlib.asynccontextmanager
async def session(app_dir, transport: str = "grpc", **launch):
    """Starts a FakeHost and a worker, checks StartStream, and yields (host, worker)."""
    host = FakeHost(transport)
    await host.start()
    worker_id = str(uuid.uuid4())
    if transport == "grpcio":
        launch["env"] = dict(launch.get("env") or {}, FUNCTIONS_HOST_WORKER_CLIENT="grpcio")
    worker = await launch_worker(host.port, app_dir, worker_id=worker_id,
                                 h2_uds_path=host.h2_uds_path, **launch)
    try:
        start = await host.expect("start_stream")
        assert start.start_stream.worker_id == worker_id
        assert host.received[0].WhichOneof("content") == "start_stream"
        yield host, worker
    except BaseException:
        worker.kill()
        with contextlib.suppress(Exception):
            await worker.wait(5)
        print(worker.output(), file=sys.stderr)
        raise
    finally:
        worker.kill()
        with contextlib.suppress(Exception):
            await worker.wait(5)
        await host.stop()


def run(coroutine, timeout: float = 60.0):
    async def guarded():
        return await asyncio.wait_for(coroutine, timeout)
    return asyncio.run(guarded())


class ProxyClient:
    """One HTTP/1.1 connection (h11) to a worker's proxy server, as the host's forwarder opens it:
    ``uri`` is the worker's ``HttpUri`` capability (``http+unix://<%-encoded path>`` or
    ``http://127.0.0.1:<port>``). Reads return h11 events; chunks are reassembled from the
    chunked encoding's boundaries, so a test sees exactly what the server flushed as one chunk."""

    def __init__(self, reader, writer) -> None:
        import h11
        self._h11 = h11
        self.reader, self.writer = reader, writer
        self.conn = h11.Connection(h11.CLIENT)

    @classmethod
    async def connect(cls, uri: str) -> "ProxyClient":
        import urllib.parse
        if uri.startswith("http+unix://"):
            path = urllib.parse.unquote(uri[len("http+unix://"):])
            reader, writer = await asyncio.open_unix_connection(path)
        else:
            parts = urllib.parse.urlsplit(uri)
            reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        return cls(reader, writer)

    async def _write(self, event) -> None:
        data = self.conn.send(event)
        if data:
            self.writer.write(data)
            await self.writer.drain()

    async def start(self, method: str, target: str, invocation_id=None, headers=(),
                    body=None) -> None:
        """Sends the request head (and ``body`` if given; else the body is chunked and sent
        with :meth:`send_chunk` / :meth:`end`)."""
        if self.conn.our_state is self._h11.DONE and self.conn.their_state is self._h11.DONE:
            self.conn.start_next_cycle()  # keep-alive: the next request on this connection
        head = [("host", "localhost"), *headers]
        if invocation_id is not None:
            head.append(("x-ms-invocation-id", invocation_id))
        if body is not None:
            head.append(("content-length", str(len(body))))
        elif method in ("POST", "PUT"):
            head.append(("transfer-encoding", "chunked"))
        await self._write(self._h11.Request(method=method, target=target, headers=head))
        if body is not None or method not in ("POST", "PUT"):
            if body:
                await self._write(self._h11.Data(data=body))
            await self.end()

    async def send_chunk(self, data: bytes) -> None:
        await self._write(self._h11.Data(data=data))

    async def end(self) -> None:
        await self._write(self._h11.EndOfMessage())

    async def next_event(self, timeout: float = GUARD):
        async def read():
            while True:
                event = self.conn.next_event()
                if event is self._h11.NEED_DATA:
                    self.conn.receive_data(await self.reader.read(65536))
                    continue
                return event

        async def guarded():
            try:
                return await read()
            except self._h11.RemoteProtocolError as exc:  # e.g. closed in the middle of a body
                return exc
        return await asyncio.wait_for(guarded(), timeout)

    async def response(self, timeout: float = GUARD):
        """The response head: (status, {lower-case name: value})."""
        event = await self.next_event(timeout)
        assert isinstance(event, self._h11.Response), f"expected a response head, got {event!r}"
        return event.status_code, {k.decode().lower(): v.decode() for k, v in event.headers}

    async def next_chunk(self, timeout: float = GUARD):
        """The next whole chunk of the body, b"" at its end, None if the connection ended."""
        parts = []
        while True:
            event = await self.next_event(timeout)
            if isinstance(event, self._h11.Data):
                parts.append(bytes(event.data))
                if event.chunk_end:
                    return b"".join(parts)
                continue
            if isinstance(event, self._h11.EndOfMessage):
                return b"".join(parts) if parts else b""
            if isinstance(event, (self._h11.ConnectionClosed, self._h11.RemoteProtocolError)):
                return None  # the server closed the connection (mid-body: a cut stream)
            raise AssertionError(f"unexpected event {event!r}")

    async def body(self, timeout: float = GUARD) -> bytes:
        """The rest of the body (chunked or not)."""
        parts = []
        while True:
            event = await self.next_event(timeout)
            if isinstance(event, self._h11.Data):
                parts.append(bytes(event.data))
            elif isinstance(event, self._h11.EndOfMessage):
                return b"".join(parts)
            else:
                raise AssertionError(f"the body ended with {event!r}")

    def close(self) -> None:
        self.writer.close()


# -- HTTP streaming (a worker's proxy server, issue 15) ------------------------------------------

@contextlib.contextmanager
def socket_dir():
    """A short private directory for the worker's socket (sun_path holds ~107 bytes)."""
    path = tempfile.mkdtemp(prefix="fh-")
    os.chmod(path, 0o700)
    try:
        yield Path(path)
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextlib.asynccontextmanager
async def streaming_session(app, socket_path=None, env=None):
    """A worker initialised, indexed and loaded: yields (host, worker, init response, functions)."""
    environment = {"PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    if socket_path is not None:
        environment["FUNCTIONS_HOST_HTTP_SOCKET"] = str(socket_path)
    async with session(app, "grpc", dialect="functions", env=environment) as (host, worker):
        host.send(worker_init_request=protos.WorkerInitRequest(
            host_version="4.0.0-test", function_app_directory=str(app),
            worker_directory=str(WORKER_SCRIPT.parent)))
        init = (await host.expect("worker_init_response")).worker_init_response
        assert init.result.status == protos.StatusResult.Success, init.result.exception.message
        host.send(request_id="meta", functions_metadata_request=protos.FunctionsMetadataRequest(
            function_app_directory=str(app)))
        metadata = (await host.expect("function_metadata_response")).function_metadata_response
        assert metadata.result.status == protos.StatusResult.Success, \
            metadata.result.exception.message
        functions = {m.name: m for m in metadata.function_metadata_results}
        for md in functions.values():
            host.send(function_load_request=protos.FunctionLoadRequest(
                function_id=md.function_id, metadata=md))
            loaded = (await host.expect("function_load_response")).function_load_response
            assert loaded.result.status == protos.StatusResult.Success, \
                (md.name, loaded.result.exception.message)
        yield host, worker, init, functions


def invoke_proxied(host, function, invocation_id, params=None):
    """Sends a proxied invocation's InvocationRequest (the trigger carries route params only)."""
    request = protos.InvocationRequest(invocation_id=invocation_id,
                                       function_id=function.function_id)
    request.input_data.add(name="req", data=protos.TypedData(
        http=protos.RpcHttp(params=params or {})))
    host.send(invocation_request=request)


def invoke_buffered(host, function, invocation_id, url="http://localhost/api/x"):
    request = protos.InvocationRequest(invocation_id=invocation_id,
                                       function_id=function.function_id)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    request.input_data.add(name="req", data=protos.TypedData(http=protos.RpcHttp(
        method="GET", url=url, query={k: v[0] for k, v in query.items()})))
    host.send(invocation_request=request)


async def answer(host, invocation_id):
    return (await host.expect("invocation_response",
                              lambda m: m.invocation_response.invocation_id == invocation_id)
            ).invocation_response


async def log_containing(host, text):
    return (await host.expect("rpc_log", lambda m: text in m.rpc_log.message)).rpc_log


# -- capabilities and metadata -------------------------------------------------------------------
