"""Python language worker for functions-host (Azure Functions language-worker protocol).

Connects to the host's gRPC EventStream and runs functions written against ``azure.functions``
(classic function.json folders imported as package ``__app__``, or a function_app.py decorator
app). Sections: constants, CLI arguments, transport, dispatcher (one ``_handle_<kind>`` per
message kind), loader/registry, bindings (TypedData <-> Python via the library's converters),
logging (RpcLog tagged with the invocation id from a context variable), worker wiring.
State lives in objects; module-level names are constants.
"""
from __future__ import annotations

import argparse
import asyncio
import collections.abc
import contextvars
import email.utils
import importlib
import importlib.machinery
import importlib.util
import inspect
import io
import json
import logging
import os
import platform
import queue
import sys
import threading
import traceback
import types
import typing
import urllib.parse
import uuid
from pathlib import Path

import grpc
import grpc.aio
from google.protobuf.duration_pb2 import Duration
from google.protobuf.timestamp_pb2 import Timestamp

import azure.functions as azf
from azure.functions import _abc as azf_abc
from azure.functions import meta as azf_meta

import FunctionRpc_pb2 as protos
import NullableTypes_pb2 as nullable

# === Constants =================================================================================

WORKER_VERSION = "1.0.0"
LOGGER_NAME = "functions_host_worker"
EVENT_STREAM_METHOD = "/AzureFunctionsRpcMessages.FunctionRpc/EventStream"
CONNECT_TIMEOUT_SECONDS = 5.0
FLUSH_TIMEOUT_SECONDS = 1.0
APP_PACKAGE = "__app__"
DEFAULT_SCRIPT_FILE = "__init__.py"
DEFAULT_ENTRY_POINT = "main"
DEFAULT_INDEX_SCRIPT = "function_app.py"
WORKER_INDEXED = "worker_indexed"
RETURN_BINDING = "$return"
HTTP_TRIGGER = "httpTrigger"
HTTP_TYPES = frozenset((HTTP_TRIGGER, "http"))
PRINT_CATEGORY = "stdout"
SYSTEM_LOGGER_PREFIXES = ("azure_functions_worker", "azure.functions", LOGGER_NAME)
CAPABILITIES = types.MappingProxyType({name: "true" for name in (
    "RawHttpBodyBytes", "RpcHttpBodyOnly", "RpcHttpTriggerMetadataRemoved",
    "TypedDataCollection", "WorkerStatus",
    "HandlesInvocationCancelMessage", "HandlesWorkerTerminateMessage")})

SUCCESS = protos.StatusResult.Success
FAILURE = protos.StatusResult.Failure
CANCELLED = protos.StatusResult.Cancelled
DIRECTION_OUT = protos.BindingInfo.Direction.Value("out")
DIRECTION_INOUT = protos.BindingInfo.Direction.Value("inout")
LOG_SYSTEM = protos.RpcLog.System
LOG_USER = protos.RpcLog.User
LEVEL_ERROR = protos.RpcLog.Error
LEVEL_INFORMATION = protos.RpcLog.Information
LOG_LEVELS = ((logging.CRITICAL, protos.RpcLog.Critical), (logging.ERROR, LEVEL_ERROR),
              (logging.WARNING, protos.RpcLog.Warning), (logging.INFO, LEVEL_INFORMATION),
              (logging.DEBUG, protos.RpcLog.Debug))
#: Library loggers kept from flooding the host when the root logger is at DEBUG.
QUIET_LOGGERS = ((LOGGER_NAME, logging.INFO), ("grpc", logging.WARNING),
                 ("asyncio", logging.WARNING))
SCALAR_DATA_KINDS = frozenset(("string", "json", "bytes", "int", "double"))
EMPTY_METADATA: typing.Mapping[str, azf_meta.Datum] = types.MappingProxyType({})
SAME_SITE = types.MappingProxyType({
    "lax": protos.RpcHttpCookie.Lax, "strict": protos.RpcHttpCookie.Strict,
    "none": protos.RpcHttpCookie.ExplicitNone})

#: Types named in "expected ..." load errors, in order of preference.
_ANNOTATION_CANDIDATES = tuple(getattr(azf, n) for n in (
    "HttpRequest", "HttpResponse", "QueueMessage", "InputStream", "TimerRequest", "EventHubEvent",
    "EventGridEvent", "CloudEvent", "EventGridOutputEvent", "ServiceBusMessage", "Document",
    "DocumentList", "SqlRow", "SqlRowList", "MySqlRow", "MySqlRowList", "KafkaEvent")
    if isinstance(getattr(azf, n, None), type)) + (str, bytes)

#: Invocations start eagerly (``asyncio.Task(..., eager_start=True)``) where Python has it.
EAGER_TASKS = sys.version_info >= (3, 12)
#: Dispatcher._inflight's entry while an invocation's eager first step runs.
_STARTING = object()

#: The invocation the running code belongs to (set per invocation task, copied into threads).
INVOCATION_ID: contextvars.ContextVar[typing.Optional[str]] = contextvars.ContextVar(
    "functions_host_invocation_id", default=None)


# === CLI arguments =============================================================================

class LaunchArgs(typing.NamedTuple):
    host: str
    port: int
    worker_id: str
    request_id: str
    grpc_max_message_length: typing.Optional[int]
    uds_path: typing.Optional[str] = None


def parse_args(argv: typing.Sequence[str]) -> LaunchArgs:
    """Parses both launch dialects; the ``--functions-*`` ones win. Unknown args are ignored."""
    parser = argparse.ArgumentParser(prog="worker.py", allow_abbrev=False)
    for flag, kind in (("--host", str), ("--port", int), ("--workerId", str),
                       ("--requestId", str), ("--grpcMaxMessageLength", int),
                       ("--functions-uri", str), ("--functions-worker-id", str),
                       ("--functions-request-id", str),
                       ("--functions-grpc-max-message-length", int),
                       ("--functions-uds-path", str)):
        parser.add_argument(flag, type=kind)
    ns, _unknown = parser.parse_known_args(list(argv))
    host, port = ns.host, ns.port
    if ns.functions_uri:
        uri = urllib.parse.urlsplit(ns.functions_uri)
        host, port = uri.hostname or host, uri.port or port
    worker_id = ns.functions_worker_id or ns.workerId
    if not host or not port or not worker_id:
        parser.error("need --functions-uri (or --host/--port) and --functions-worker-id "
                     "(or --workerId)")
    return LaunchArgs(host, port, worker_id, ns.functions_request_id or ns.requestId or "",
                      ns.functions_grpc_max_message_length or ns.grpcMaxMessageLength,
                      ns.functions_uds_path)


# === Transport =================================================================================

class Transport:
    """The gRPC bidi stream. ``post`` may be called from any thread; ordering is preserved."""

    def __init__(self, host: str, port: int) -> None:
        self._target = f"{host}:{port}"
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._queue: asyncio.Queue = asyncio.Queue()
        self._drained = asyncio.Event()
        self._channel: typing.Optional[grpc.aio.Channel] = None
        self._call = None

    async def connect(self) -> None:
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


# === Dispatcher ================================================================================

class Dispatcher:
    """Routes inbound StreamingMessages to ``_handle_<oneof>`` methods and owns worker state."""

    def __init__(self, post: typing.Callable, request_id: str, app_dir: str,
                 stdout: typing.Optional["StdoutForwarder"] = None,
                 thread_local: typing.Optional[threading.local] = None,
                 on_stop: typing.Callable[[], None] = lambda: None) -> None:
        self._post = post
        self._request_id = request_id
        self._stdout = stdout
        self.loader = FunctionLoader(app_dir)
        self.thread_local = thread_local if thread_local is not None else threading.local()
        self._pool = SyncRunner(_thread_count())
        self._inflight: typing.Dict[str, asyncio.Task] = {}
        self._terminating = False
        self._terminate_task: typing.Optional[asyncio.Task] = None
        self._on_stop = on_stop  # called once WorkerTerminate has drained in-flight work
        self._log = logging.getLogger(LOGGER_NAME)
        self._handlers = {name[len("_handle_"):]: getattr(self, name)
                          for name in dir(type(self)) if name.startswith("_handle_")}

    def dispatch(self, message) -> None:
        kind = message.WhichOneof("content")
        try:
            self._handlers.get(kind, self._unhandled)(message)
        except Exception:  # a handler bug must never take the worker down
            self._log.exception("failed to handle %s", kind)

    def _send(self, **content) -> None:
        self._post(protos.StreamingMessage(request_id=self._request_id, **content))

    def _unhandled(self, message) -> None:
        self._log.warning("ignoring unsupported StreamingMessage content %r",
                          message.WhichOneof("content"))

    def _worker_metadata(self):
        return protos.WorkerMetadata(
            runtime_name="python", worker_version=WORKER_VERSION,
            runtime_version=f"{sys.version_info.major}.{sys.version_info.minor}",
            worker_bitness=platform.machine())

    def _handle_worker_init_request(self, message) -> None:
        request = message.worker_init_request
        logging.getLogger().setLevel(user_log_level(request.log_categories))
        self.loader.set_app_dir(request.function_app_directory or self.loader.app_dir)
        self._send(worker_init_response=protos.WorkerInitResponse(
            worker_version=WORKER_VERSION, capabilities=CAPABILITIES,
            result=protos.StatusResult(status=SUCCESS), worker_metadata=self._worker_metadata()))

    def _handle_worker_status_request(self, message) -> None:
        self._post(protos.StreamingMessage(request_id=message.request_id,
                                           worker_status_response=protos.WorkerStatusResponse()))

    def _handle_functions_metadata_request(self, message) -> None:
        response = protos.FunctionMetadataResponse()
        try:
            results = self.loader.index(message.functions_metadata_request.function_app_directory
                                        or self.loader.app_dir)
            if results is None:
                response.use_default_metadata_indexing = True
            else:
                response.function_metadata_results.extend(results)
                for note in self.loader.index_notes:  # loud: "no functions found" needs a why
                    (self._log.warning if results else self._log.error)("%s", note)
                response.result.result = "; ".join(self.loader.index_notes)
            response.result.status = SUCCESS
        except Exception as exc:
            self._log.error("indexing %s failed: %s", self.loader.app_dir,
                            rpc_exception(exc, locate=True).message)
            response.result.status = FAILURE
            response.result.exception.CopyFrom(rpc_exception(exc, locate=True))
        self._post(protos.StreamingMessage(request_id=message.request_id,
                                           function_metadata_response=response))

    def _load(self, request):
        response = protos.FunctionLoadResponse(function_id=request.function_id)
        try:
            self.loader.load(request.function_id, request.metadata)
            response.result.status = SUCCESS
        except Exception as exc:
            self._log.error("loading function %r failed: %s", request.metadata.name, exc)
            response.result.status = FAILURE
            response.result.exception.CopyFrom(rpc_exception(exc, locate=True))
        return response

    def _handle_function_load_request(self, message) -> None:
        self._send(function_load_response=self._load(message.function_load_request))

    def _handle_function_load_request_collection(self, message) -> None:
        responses = [self._load(r) for r in
                     message.function_load_request_collection.function_load_requests]
        self._send(function_load_response_collection=protos.FunctionLoadResponseCollection(
            function_load_responses=responses))

    def _handle_invocation_request(self, message) -> None:
        request = message.invocation_request
        if self._terminating:  # stop taking work
            message = protos.StreamingMessage(request_id=self._request_id)
            message.invocation_response.invocation_id = request.invocation_id
            self._fail(None, request.invocation_id, message.invocation_response,
                       RuntimeError("the worker is shutting down"))
            self._post(message)
            return
        invocation_id = request.invocation_id
        if not EAGER_TASKS:
            self._inflight[invocation_id] = asyncio.get_running_loop().create_task(
                self._invoke(request))
            return
        # Python 3.12+: the invocation runs at once, up to its first suspension (a hello-world
        # function finishes right here, without a trip through the event loop), as a real Task
        # (current_task(), timeouts and cancellation behave as usual). The placeholder lets
        # _invoke tell a live invocation from one the host cancelled, as it does for a task.
        inflight = self._inflight
        inflight[invocation_id] = _STARTING
        task = asyncio.Task(self._invoke(request), loop=asyncio.get_running_loop(),
                            eager_start=True)
        if not task.done():
            inflight[invocation_id] = task
        elif inflight.get(invocation_id) is _STARTING:  # _invoke ended without answering
            del inflight[invocation_id]

    def _handle_invocation_cancel(self, message) -> None:
        invocation_id = message.invocation_cancel.invocation_id
        task = self._inflight.pop(invocation_id, None)
        if task is None:
            return  # already answered, or unknown
        task.cancel()  # an async function sees CancelledError; a sync one's result is dropped
        self._finish_output(invocation_id)
        response = protos.StreamingMessage(request_id=self._request_id)
        response.invocation_response.invocation_id = invocation_id
        response.invocation_response.result.status = CANCELLED
        self._post(response)

    def _handle_worker_terminate(self, message) -> None:
        grace = message.worker_terminate.grace_period
        seconds = grace.seconds + grace.nanos / 1e9 if message.worker_terminate.HasField(
            "grace_period") else 5.0
        if not self._terminating:
            self._terminating = True
            self._terminate_task = asyncio.get_running_loop().create_task(
                self._drain_then_stop(max(seconds - FLUSH_TIMEOUT_SECONDS, 0.0)))

    async def _drain_then_stop(self, seconds: float) -> None:
        """Lets in-flight invocations finish (within the grace period), then stops the worker."""
        pending = list(self._inflight.values())
        if pending:
            await asyncio.wait(pending, timeout=seconds)
        self._on_stop()

    def _handle_function_environment_reload_request(self, message) -> None:
        request = message.function_environment_reload_request
        response = protos.FunctionEnvironmentReloadResponse(
            capabilities=CAPABILITIES, worker_metadata=self._worker_metadata())
        try:
            old_threads = _thread_count()
            os.environ.clear()
            os.environ.update(request.environment_variables)
            if request.function_app_directory:
                os.chdir(request.function_app_directory)
                self.loader.set_app_dir(request.function_app_directory)
            if _thread_count() != old_threads:
                self._pool.shutdown(cancel_pending=False)
                self._pool = SyncRunner(_thread_count())
            response.result.status = SUCCESS
        except Exception as exc:
            response.result.status = FAILURE
            response.result.exception.CopyFrom(rpc_exception(exc))
        self._send(function_environment_reload_response=response)

    def _handle_close_shared_memory_resources_request(self, message) -> None:
        names = message.close_shared_memory_resources_request.map_names
        self._send(close_shared_memory_resources_response=protos.CloseSharedMemoryResourcesResponse(
            close_map_results={name: True for name in names}))  # this worker never maps any

    # -- invocation ----------------------------------------------------------------------------

    async def _invoke(self, request) -> None:
        invocation_id = request.invocation_id
        INVOCATION_ID.set(invocation_id)  # this task runs in its own context copy
        message = protos.StreamingMessage(request_id=self._request_id)
        response = message.invocation_response
        response.invocation_id = invocation_id
        info = self.loader.functions.get(request.function_id)
        try:
            if info is None:
                raise RuntimeError(f"function {request.function_id!r} is not loaded")
            args = info.build_args(request, self.thread_local)
            if info.is_async:
                result = await info.func(**args)
            else:
                result, error = await self._pool.submit(contextvars.copy_context(), info.func, args)
                if error is not None:
                    raise error
                if inspect.isawaitable(result):  # e.g. a plain wrapper around a coroutine
                    result = await result
            info.encode_outputs(result, args, response)
            response.result.status = SUCCESS
        except asyncio.CancelledError as exc:
            if invocation_id not in self._inflight:
                raise  # cancelled by the host: the Cancelled response has been sent already
            self._fail(info, invocation_id, response, exc)
        except BaseException as exc:  # noqa: B036 -- user code may raise SystemExit & co.
            self._fail(info, invocation_id, response, exc)
        self._finish_output(invocation_id)
        if self._inflight.pop(invocation_id, None) is not None:
            self._post(message)

    def _fail(self, info, invocation_id: str, response, exc: BaseException) -> None:
        error = rpc_exception(exc)
        response.ClearField("output_data")
        response.ClearField("return_value")
        response.result.status = FAILURE
        response.result.exception.CopyFrom(error)
        log = protos.StreamingMessage(request_id=self._request_id)
        log.rpc_log.invocation_id = invocation_id
        log.rpc_log.category = f"Function.{info.name}" if info else LOGGER_NAME
        log.rpc_log.level = LEVEL_ERROR
        log.rpc_log.log_category = LOG_USER if info else LOG_SYSTEM
        log.rpc_log.message = f"Executed function failed: {error.message}"
        log.rpc_log.exception.CopyFrom(error)
        self._post(log)

    def _finish_output(self, invocation_id: str) -> None:
        if self._stdout is not None:
            self._stdout.flush_invocation(invocation_id)

    def shutdown(self) -> bool:
        """Cancels what is left; returns True if sync calls are still running in threads."""
        for task in self._inflight.values():
            task.cancel()
        return self._pool.shutdown(cancel_pending=True)


class SyncRunner:
    """Runs sync functions on a pool of ``functions-sync_N`` threads (as many as
    ThreadPoolExecutor would: PYTHON_THREADPOOL_THREAD_COUNT, else min(32, CPUs + 4), started on
    demand). Cheaper per call than ThreadPoolExecutor + asyncio.wrap_future: a call is one
    SimpleQueue item, and results come back to the event loop in batches (one loop wake-up for
    every result that is ready)."""

    def __init__(self, max_workers: typing.Optional[int] = None) -> None:
        self._max = max_workers or min(32, (os.cpu_count() or 1) + 4)
        self._queue: "queue.SimpleQueue" = queue.SimpleQueue()
        self._threads: typing.List[threading.Thread] = []
        self._lock = threading.Lock()
        self._idle = 0          # threads waiting for work (under _lock)
        self._pending = 0       # submitted calls not finished or dropped yet (under _lock)
        self._done: collections.deque = collections.deque()
        self._wake_scheduled = False
        self._loop: typing.Optional[asyncio.AbstractEventLoop] = None
        self._shut = False

    def submit(self, context: contextvars.Context, func: typing.Callable,
               kwargs: typing.Dict[str, typing.Any]) -> asyncio.Future:
        """Calls ``context.run(func, **kwargs)`` in a pool thread; the future (of this event loop)
        gets ``(result, None)`` or ``(None, exception)``. Cancelling it before the call starts
        drops the call."""
        if self._shut:
            raise RuntimeError("cannot schedule new calls after shutdown")
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.get_running_loop()
        future = loop.create_future()
        with self._lock:
            self._pending += 1
            start = self._idle == 0 and len(self._threads) < self._max
            if not start:
                self._idle -= 1 if self._idle else 0
        self._queue.put((future, context, func, kwargs))
        if start:
            thread = threading.Thread(target=self._work, daemon=True,
                                      name=f"functions-sync_{len(self._threads)}")
            self._threads.append(thread)
            thread.start()
        return future

    def _work(self) -> None:
        get, done, lock = self._queue.get, self._done, self._lock
        while True:
            item = get()
            if item is None:
                return
            future, context, func, kwargs = item
            outcome: typing.Tuple[typing.Any, typing.Optional[BaseException]] = (None, None)
            if not future.cancelled():  # a call cancelled while queued never runs
                try:
                    outcome = (context.run(func, **kwargs), None)
                except BaseException as exc:  # noqa: B036 -- delivered to the invocation
                    outcome = (None, exc)
            item = None
            with lock:
                self._pending -= 1
                self._idle += 1
            done.append((future, outcome))
            del future, outcome
            if not self._wake_scheduled:
                self._wake_scheduled = True
                try:
                    self._loop.call_soon_threadsafe(self._deliver)
                except RuntimeError:  # loop closed: nobody is waiting any more
                    pass

    def _deliver(self) -> None:
        """On the event loop: hands every finished call's outcome to its future."""
        self._wake_scheduled = False  # cleared before draining: a later result schedules again
        done = self._done
        while done:
            future, outcome = done.popleft()
            if not future.done():
                future.set_result(outcome)

    def shutdown(self, cancel_pending: bool) -> bool:
        """Stops the threads once the queue is drained (dropping queued calls if
        ``cancel_pending``); returns True if calls are still queued or running."""
        self._shut = True
        busy = self._pending > 0
        if cancel_pending:
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    item[0].cancel()
                    with self._lock:
                        self._pending -= 1
        for _ in self._threads:
            self._queue.put(None)
        return busy


def _thread_count() -> typing.Optional[int]:
    value = os.environ.get("PYTHON_THREADPOOL_THREAD_COUNT", "")
    try:
        count = int(value)
    except ValueError:
        return None
    return count if count > 0 else None


# === Loader / registry =========================================================================

class FunctionLoadError(RuntimeError):
    def __init__(self, function_name: str, message: str) -> None:
        super().__init__(f"cannot load the {function_name} function: {message}")


class FunctionLoader:
    """Imports user code (``__app__`` package or ``function_app.py``) and keeps FunctionInfos."""

    def __init__(self, app_dir: str) -> None:
        self.app_dir = ""
        self.functions: typing.Dict[str, FunctionInfo] = {}
        self._indexed: typing.Optional[typing.Dict[str, typing.Any]] = None
        self.index_notes: typing.List[str] = []
        self.set_app_dir(app_dir)

    def set_app_dir(self, app_dir: str) -> None:
        self.app_dir = str(Path(app_dir).resolve()) if app_dir else os.getcwd()
        packages = os.path.join(self.app_dir, ".python_packages", "lib", "site-packages")
        if os.path.isdir(packages) and packages not in sys.path:
            sys.path.insert(1, packages)
        self._app_package(self.app_dir)

    @staticmethod
    def _app_package(root: str) -> None:
        """Exposes ``root`` as package ``__app__`` without putting function folders on sys.path."""
        package = sys.modules.get(APP_PACKAGE)
        if package is None:
            spec = importlib.machinery.ModuleSpec(APP_PACKAGE, None, is_package=True)
            spec.submodule_search_locations = [root]
            sys.modules[APP_PACKAGE] = importlib.util.module_from_spec(spec)
        elif root not in package.__path__:
            package.__path__.append(root)

    # -- decorator model (function_app.py) -------------------------------------------------------

    def index(self, app_dir: str):
        """Returns RpcFunctionMetadata for function_app.py, or None when there is no such file.

        Raises (with a reason a user can act on) when the script cannot be imported or defines
        no FunctionApp; ``index_notes`` says why functions may be missing (e.g. a Blueprint that
        was never registered), and why there are none when the list is empty.
        """
        app_dir = str(Path(app_dir).resolve())
        script = Path(app_dir, os.environ.get("PYTHON_SCRIPT_FILE_NAME") or DEFAULT_INDEX_SCRIPT)
        if not script.is_file():
            return None
        if self._indexed is None:
            if app_dir not in sys.path:
                sys.path.insert(0, app_dir)
            try:
                module = importlib.import_module(script.stem)
            except ModuleNotFoundError as exc:
                _add_hint(exc, _missing_module_hint(exc, Path(app_dir)))
                raise
            found = list(vars(module).items())
            apps = {id(v): v for _, v in found if isinstance(v, azf.FunctionRegister)}
            registered = {id(fb) for app in apps.values()
                          for fb in getattr(app, "_function_builders", ())}
            unregistered = [name for name, v in found if isinstance(v, azf.Blueprint)
                            and any(id(fb) not in registered
                                    for fb in getattr(v, "_function_builders", ()))]
            notes = [f"Blueprint {name!r} in {script.name} has functions but is never "
                     f"registered: call app.register_functions({name})" for name in unregistered]
            if not apps:
                raise ValueError(
                    f"{script} has no top-level azure.functions.FunctionApp instance, so it "
                    "defines no functions; add `app = func.FunctionApp()` at module level and "
                    "decorate functions with it (@app.route, @app.queue_trigger, ...)"
                    + (f"; {'; '.join(notes)}" if notes else ""))
            indexed: typing.Dict[str, typing.Any] = {}
            for app in apps.values():
                for fn in app.get_functions():
                    name = fn.get_function_name()
                    if any(m.name == name for _, m in indexed.values()):
                        raise ValueError(f"function name {name!r} is defined more than once")
                    indexed[function_id_for(name)] = (fn, _function_metadata(fn, app_dir, script))
            if not indexed:
                app_names = ", ".join(name for name, v in found if id(v) in apps)
                notes.append(f"{script} defines FunctionApp {app_names} but no functions: "
                             "decorate a function with @app.route(...) (or another trigger), "
                             "or register a Blueprint with app.register_functions(bp)")
            self.index_notes = notes
            self._indexed = indexed
        return [metadata for _, metadata in self._indexed.values()]

    # -- loading ---------------------------------------------------------------------------------

    def load(self, function_id: str, metadata) -> "FunctionInfo":
        name = metadata.name or function_id
        if WORKER_INDEXED in metadata.properties:
            if self._indexed is None:
                self.index(metadata.directory or self.app_dir)
            entry = (self._indexed or {}).get(function_id) or next(
                (e for e in (self._indexed or {}).values() if e[1].name == metadata.name), None)
            if entry is None:
                raise FunctionLoadError(name, "it is not defined in the indexed function app")
            fn = entry[0]
            bindings = {b.name: (b.type, b.direction) for b in fn.get_bindings()}
            info = FunctionInfo(function_id, name, metadata.directory or self.app_dir,
                                fn.get_user_function(), bindings)
        else:
            bindings = {k: (b.type, b.direction) for k, b in metadata.bindings.items()}
            info = FunctionInfo(function_id, name, metadata.directory,
                                self._import_entry_point(name, metadata), bindings)
        self.functions[function_id] = info
        return info

    def _import_entry_point(self, name: str, metadata) -> typing.Callable:
        directory = Path(metadata.directory or self.app_dir)
        script = Path(metadata.script_file or DEFAULT_SCRIPT_FILE)
        if not script.is_absolute():
            script = directory / script
        root = directory.resolve().parent
        try:
            relative = script.resolve().relative_to(root)
        except ValueError:
            raise FunctionLoadError(name, f"script {script} is not inside {root}") from None
        if relative.suffix != ".py":
            raise FunctionLoadError(name, f"{script} is not a Python file")
        self._app_package(str(root))
        parts = [APP_PACKAGE, *relative.parts[:-1]]
        if relative.stem != "__init__":
            parts.append(relative.stem)
        try:
            module = importlib.import_module(".".join(parts))
        except ModuleNotFoundError as exc:
            _add_hint(exc, _missing_module_hint(exc, Path(root)))
            raise
        entry_point = metadata.entry_point or DEFAULT_ENTRY_POINT
        func = getattr(module, entry_point, None)
        if not callable(func):
            raise FunctionLoadError(name, f"function {entry_point}() is not present in {script}")
        return func


def _add_hint(exc: BaseException, hint: str) -> None:
    """Attaches a note that rpc_exception() appends to the message (PEP 678 ``__notes__``)."""
    if hint:
        exc.__notes__ = [*getattr(exc, "__notes__", ()), hint]


def _user_frames(exc: BaseException):
    return [f for f in traceback.extract_tb(exc.__traceback__)
            if not f.filename.startswith("<") and f.filename != __file__]


def _missing_module_hint(exc: ModuleNotFoundError, app_root: Path) -> str:
    """Why an import failed, in the guide's terms (function folders are packages of __app__)."""
    missing = (exc.name or "").split(".")[0]
    if not missing or missing == APP_PACKAGE:
        return ""
    frames = _user_frames(exc)
    importer = Path(frames[-1].filename).parent if frames else app_root
    def present(folder: Path) -> bool:
        return (folder / f"{missing}.py").is_file() or (folder / missing).is_dir()
    if importer != app_root and present(importer):
        return (f"hint: {missing!r} is a module of the function's own folder, which is a package "
                f"of {APP_PACKAGE}: write `from . import {missing}`")
    if present(app_root):
        return (f"hint: {missing!r} is in the app folder, which is the package {APP_PACKAGE}: "
                f"write `from {APP_PACKAGE} import {missing}` (or `from .. import {missing}`)")
    return (f"hint: is {missing!r} listed in the app's requirements.txt (the host installs it "
            "when it starts) or vendored in .python_packages/lib/site-packages?")


def function_id_for(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_OID, name))


def _function_metadata(fn, app_dir: str, script: Path):
    name = fn.get_function_name()
    return protos.RpcFunctionMetadata(
        name=name, function_id=function_id_for(name), directory=app_dir,
        script_file=str(script), entry_point=name, language="python", is_proxy=False,
        raw_bindings=fn.get_raw_bindings(), retry_options=_retry_options(fn),
        properties={WORKER_INDEXED: "True"},
        bindings={b.name: protos.BindingInfo(type=b.type, direction=b.direction,
                                             data_type=b.data_type or 0)
                  for b in fn.get_bindings()})


def _retry_options(fn):
    """RpcRetryOptions from an ``@app.retry(...)`` setting (intervals are "[[HH:]MM:]SS")."""
    retry = fn.get_settings_dict("retry_policy")
    if not retry:
        return None
    intervals = {key: Duration(seconds=sum(int(part) * 60 ** power for power, part in
                                           enumerate(reversed(str(retry[key]).split(":")))))
                 for key in ("delay_interval", "minimum_interval", "maximum_interval")
                 if retry.get(key)}
    fixed = str(retry.get("strategy")) == "fixed_delay"
    return protos.RpcRetryOptions(
        max_retry_count=int(retry.get("max_retry_count") or 0), **intervals,
        retry_strategy=protos.RpcRetryOptions.fixed_delay if fixed
        else protos.RpcRetryOptions.exponential_backoff)


class FunctionInfo:
    """Everything an invocation needs, computed once at load time.

    The signature is checked against the bindings as the stock worker does: every parameter but
    ``context`` needs a binding of its name and every binding (but ``$return``) a parameter;
    annotations must suit the binding's converter; an output binding takes ``func.Out[T]``.
    A mismatch is a FunctionLoadError naming the function, the parameter and the expected type.
    """

    def __init__(self, function_id: str, name: str, directory: str, func: typing.Callable,
                 bindings: typing.Mapping[str, typing.Tuple[str, int]]) -> None:
        self.function_id, self.name, self.directory, self.func = function_id, name, directory, func
        self.is_async = inspect.iscoroutinefunction(func)
        self.ignored_return_warned = False
        signature = inspect.signature(func)
        try:
            hints = typing.get_type_hints(func)
        except Exception:  # unresolvable forward references: fall back to the raw annotations
            hints = {k: v for k, v in getattr(func, "__annotations__", {}).items()
                     if not isinstance(v, str)}
        self.context_param: typing.Optional[str] = None
        self.inputs: typing.Dict[str, typing.Tuple[typing.Callable, str]] = {}  # decode, type
        self.outputs: typing.List[typing.Tuple[str, typing.Callable, typing.Any, bool]] = []
        self.required_inputs: typing.List[str] = []
        declared, accepts_any = set(), False
        entry = f"{getattr(func, '__name__', name)}()"
        for pname, param in signature.parameters.items():
            annotation = hints.get(pname)
            if param.kind is param.VAR_KEYWORD:
                accepts_any = True
            elif param.kind is param.VAR_POSITIONAL:
                pass
            elif pname in bindings:
                declared.add(pname)
                self._bind(pname, annotation, *bindings[pname])
                if pname in self.inputs and param.default is param.empty:
                    self.required_inputs.append(pname)
            elif _is_subclass(annotation, azf_abc.Context):
                self.context_param = pname
            elif pname == "context":
                if annotation is not None:
                    raise FunctionLoadError(name, f"the 'context' parameter of {entry} is "
                                                  f"annotated {_type_name(annotation)}; expected "
                                                  "azure.functions.Context")
                self.context_param = pname
            elif param.default is param.empty:
                known = ", ".join(repr(b) for b in bindings if b != RETURN_BINDING) or "none"
                raise FunctionLoadError(name, f"parameter {pname!r} of {entry} has no binding of "
                                              f"that name (bindings: {known}); rename it to a "
                                              "binding name, or give it a default value")
        missing = [b for b in bindings if b not in declared and b != RETURN_BINDING]
        if missing and not accepts_any:
            btype, direction = bindings[missing[0]]
            raise FunctionLoadError(
                name, f"the {btype!r} binding {missing[0]!r} has no parameter in {entry}; add "
                      f"a parameter '{missing[0]}: {_expected_annotation(btype, direction)}'"
                      + (f" (also missing: {', '.join(map(repr, missing[1:]))})"
                         if len(missing) > 1 else ""))
        for bname in missing:
            self._bind(bname, None, *bindings[bname])
        self.return_spec = None
        if RETURN_BINDING in bindings:
            rtype, direction = bindings[RETURN_BINDING]
            if direction != DIRECTION_OUT:
                raise FunctionLoadError(name, 'the "$return" binding must have direction "out"')
            returns = hints.get("return")
            converter = _out_converter(rtype)
            if returns is not None and returns is not type(None):
                if typing.get_origin(returns) is azf.Out or returns is azf.Out:
                    raise FunctionLoadError(name, f"the return annotation of {entry} must not "
                                                  "be azure.functions.Out")
                if not _accepts(converter, "output", returns, rtype):
                    raise FunctionLoadError(
                        name, f"the return annotation of {entry} is {_type_name(returns)}, "
                              f"which the {rtype!r} $return binding cannot send; expected "
                              f"{_expected_types(converter, 'output', rtype)}")
            self.return_spec = (converter.encode, returns, rtype == "http")
        else:
            trigger = next((t for t, d in bindings.values() if t.lower().endswith("trigger")), None)
            converter = azf_meta.get_binding_registry().get(trigger) if trigger else None
            if converter is not None and getattr(converter, "has_implicit_output", bool)() \
                    and hasattr(converter, "encode"):
                self.return_spec = (converter.encode, hints.get("return"), False)

    def _bind(self, pname: str, annotation, btype: str, direction: int) -> None:
        if direction == DIRECTION_INOUT:
            raise FunctionLoadError(self.name, f"binding {pname!r}: 'inout' is not supported")
        is_out = typing.get_origin(annotation) is azf.Out or annotation is azf.Out
        if direction == DIRECTION_OUT:
            pytype = None
            if is_out:
                args = typing.get_args(annotation)
                pytype = args[0] if args else None
            elif annotation is not None:
                raise FunctionLoadError(
                    self.name, f"parameter {pname!r} is the {btype!r} output binding, so it "
                               f"must be annotated {_expected_annotation(btype, direction)}, "
                               f"not {_type_name(annotation)}")
            converter = _out_converter(btype)
            if pytype is not None and not _accepts(converter, "output", pytype, btype):
                raise FunctionLoadError(
                    self.name, f"parameter {pname!r} is annotated "
                               f"azure.functions.Out[{_type_name(pytype)}], which the {btype!r} "
                               "output binding cannot send; expected azure.functions.Out[T] with "
                               f"T one of {_expected_types(converter, 'output', btype)}")
            if pytype in (str, bytes) and btype not in HTTP_TYPES:
                converter = GenericBinding  # as the stock worker
            self.outputs.append((pname, converter.encode, pytype, btype == "http"))
            return
        if is_out:
            raise FunctionLoadError(self.name, f"parameter {pname!r} is annotated "
                                               f"{_type_name(annotation)} but the {btype!r} "
                                               "binding is an input; drop azure.functions.Out")
        converter = _in_converter(btype)
        if annotation is not None and not _accepts(converter, "input", annotation, btype):
            raise FunctionLoadError(
                self.name, f"parameter {pname!r} is annotated {_type_name(annotation)}, which "
                           f"the {btype!r} binding cannot provide; expected type: "
                           f"{_expected_types(converter, 'input', btype)}")
        if annotation in (str, bytes) and btype not in HTTP_TYPES:
            converter = GenericBinding  # as the stock worker: str/bytes get the raw value
        self.inputs[pname] = (converter.decode, btype)

    def build_args(self, request, thread_local) -> typing.Dict[str, typing.Any]:
        args: typing.Dict[str, typing.Any] = {}
        trigger_metadata = request.trigger_metadata
        metadata = TriggerMetadata(trigger_metadata) if trigger_metadata else EMPTY_METADATA
        inputs = self.inputs
        for binding in request.input_data:
            name = binding.name
            spec = inputs.get(name)
            if spec is None:
                continue
            if binding.HasField("rpc_shared_memory"):
                raise TypeError(f"binding {name!r}: shared memory is not supported")
            data = binding.data
            try:
                args[name] = spec[0](datum_from_typed_data(data), trigger_metadata=metadata)
            except NotImplementedError:
                raise TypeError(f"binding {name!r} ({spec[1]}) cannot decode TypedData "
                                f"{data.WhichOneof('data')!r}") from None
        for name in self.required_inputs:
            if name not in args:  # clearer than Python's "missing 1 required positional argument"
                sent = ", ".join(repr(b.name) for b in request.input_data) or "none"
                raise TypeError(f"the {inputs[name][1]!r} input binding {name!r} of function "
                                f"{self.name!r} received no data from the host (bindings sent: "
                                f"{sent}); does this host provide {inputs[name][1]!r} bindings?")
        for output in self.outputs:
            args[output[0]] = OutValue()
        if self.context_param is not None:
            args[self.context_param] = make_context(request, self, thread_local)
        return args

    def encode_outputs(self, result, args, response) -> None:
        for name, encode, pytype, is_http in self.outputs:
            value = args[name].get()
            if value is not None:
                data = _encode(encode, value, pytype, is_http, name)
                if data is not None:
                    response.output_data.add(name=name, data=data)
        if self.return_spec is None:
            if result is not None and not self.ignored_return_warned:
                # The stock worker drops it silently (the guide's queue example returns a str).
                self.ignored_return_warned = True
                logging.getLogger(LOGGER_NAME).warning(
                    "function %r returned a %s value but has no $return binding; the value is "
                    "ignored (this is said once per function)", self.name, type(result).__name__)
        elif result is not None:
            encode, pytype, is_http = self.return_spec
            _encode_into(response.return_value, encode, result, pytype, is_http, RETURN_BINDING)


def _is_subclass(annotation, cls) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, cls)


def _type_name(annotation) -> str:
    if isinstance(annotation, type):
        module = annotation.__module__
        if module == "builtins":
            return annotation.__qualname__
        if module.startswith("azure.functions") and hasattr(azf, annotation.__name__):
            return f"azure.functions.{annotation.__name__}"
        return f"{module}.{annotation.__qualname__}"
    return repr(annotation).replace("typing.", "")


def _accepts(converter, kind: str, pytype, binding_type: str) -> bool:
    """Whether ``pytype`` suits the converter (``kind`` is "input" or "output")."""
    if pytype in (str, bytes) and binding_type not in HTTP_TYPES:
        return True  # the stock worker hands str/bytes parameters the raw value of any binding
    check = getattr(converter, f"check_{kind}_type_annotation", None)
    if check is None:
        return True
    try:
        return bool(check(pytype))
    except TypeError:  # a typing construct the converter's issubclass() cannot take
        return False


def _expected_types(converter, kind: str, binding_type: str) -> str:
    names = [_type_name(t) for t in _ANNOTATION_CANDIDATES
             if t not in (str, bytes) and _accepts(converter, kind, t, binding_type)]
    if binding_type not in HTTP_TYPES:
        names += ["str", "bytes"]
    elif _accepts(converter, kind, str, binding_type):
        names.append("str")
    return " or ".join(dict.fromkeys(names)) or "no annotation"


def _expected_annotation(binding_type: str, direction: int) -> str:
    """The annotation to suggest for a binding: its richest type (``Out[...]`` for outputs)."""
    kind = "output" if direction == DIRECTION_OUT else "input"
    converter = _out_converter(binding_type) if kind == "output" else _in_converter(binding_type)
    first = _expected_types(converter, kind, binding_type).split(" or ")[0]
    return f"azure.functions.Out[{first}]" if kind == "output" else first


# === Bindings: protobuf TypedData <-> azure.functions Datum / Python values ====================

class GenericBinding:
    """Converter for binding types the azure.functions library does not know."""

    @classmethod
    def check_input_type_annotation(cls, pytype) -> bool:
        return issubclass(pytype, (str, bytes))

    @classmethod
    def check_output_type_annotation(cls, pytype) -> bool:
        return issubclass(pytype, (str, bytes, bytearray))

    @classmethod
    def decode(cls, data, *, trigger_metadata):
        if data is None or data.type is None:
            return None
        if data.type in ("string", "bytes", "json", "int", "double"):
            return data.value
        if data.type.startswith("collection_"):
            return data.python_value
        raise ValueError(f"unexpected TypedData {data.type!r} for a generic binding")

    @classmethod
    def encode(cls, obj, *, expected_type):
        if isinstance(obj, str):
            return azf_meta.Datum(obj, "string")
        if isinstance(obj, (bytes, bytearray)):
            return azf_meta.Datum(bytes(obj), "bytes")
        if isinstance(obj, bool):
            return azf_meta.Datum(int(obj), "int")
        if isinstance(obj, int):
            return azf_meta.Datum(obj, "int")
        if isinstance(obj, float):
            return azf_meta.Datum(obj, "double")
        if isinstance(obj, (dict, list)):
            return azf_meta.Datum(json.dumps(obj), "json")
        raise NotImplementedError


def _in_converter(binding_type: str):
    converter = azf_meta.get_binding_registry().get(binding_type)
    return converter if _is_subclass(converter, azf_meta.InConverter) else GenericBinding


def _out_converter(binding_type: str):
    converter = azf_meta.get_binding_registry().get(binding_type)
    return converter if _is_subclass(converter, azf_meta.OutConverter) else GenericBinding


class OutValue(azf.Out):
    """The object handed to ``func.Out[T]`` parameters."""
    __slots__ = ("_value",)

    def __init__(self) -> None:
        self._value = None

    def set(self, val) -> None:
        self._value = val

    def get(self):
        return self._value


class TriggerMetadata(collections.abc.Mapping):
    """Read-only view of InvocationRequest.trigger_metadata converting entries on access."""
    __slots__ = ("_map",)

    def __init__(self, proto_map) -> None:
        self._map = proto_map

    def __getitem__(self, key):
        if key not in self._map:  # indexing a message map would insert the key
            raise KeyError(key)
        return datum_from_typed_data(self._map[key])

    def __iter__(self):
        return iter(self._map)

    def __len__(self) -> int:
        return len(self._map)


_Datum = azf_meta.Datum
#: Datum kinds that an RpcHttp request body keeps (anything else reads as no body).
_HTTP_BODY_KINDS = frozenset(("bytes", "string", "json"))


def datum_from_typed_data(data) -> typing.Optional[azf_meta.Datum]:
    kind = data.WhichOneof("data")
    if kind == "http":
        return _Datum(_http_request_value(data.http), "http")
    if kind is None:
        return None
    if kind == "stream":
        return _Datum(data.stream, "bytes")
    return _Datum(getattr(data, kind), kind)


def _string_datums(plain, nullable_map) -> typing.Dict[str, azf_meta.Datum]:
    # Indexing by key is cheaper than .items() on a protobuf map (a generic Mapping view).
    if plain:
        return {k: _Datum(plain[k], "string") for k in plain}
    if nullable_map:
        return {k: _Datum(nullable_map[k].value, "string") for k in nullable_map}
    return {}


def _http_request_value(http) -> typing.Dict[str, typing.Any]:
    """The dict of Datums that azure.functions' HttpRequestConverter expects."""
    body = datum_from_typed_data(http.body) if http.HasField("body") else None
    return {
        "method": _Datum(http.method, "string"),
        "url": _Datum(http.url, "string"),
        "headers": _string_datums(http.headers, http.nullable_headers),
        "query": _string_datums(http.query, http.nullable_query),
        "params": _string_datums(http.params, http.nullable_params),
        "body": body if body is not None and body.type in _HTTP_BODY_KINDS
        else _Datum(b"", "bytes"),
    }


def typed_data_from_datum(datum):
    """Turns a Datum produced by an azure.functions converter into TypedData (None = no value)."""
    data = protos.TypedData()
    return data if _fill_typed_data(data, datum) else None


def _fill_typed_data(data, datum) -> bool:
    """Writes ``datum`` into the empty TypedData ``data`` (in place, e.g. a field of the
    response); False when the Datum holds no value, and then ``data`` is left untouched."""
    if datum is None or datum.type is None:
        return False
    kind, value = datum.type, datum.value
    if kind in SCALAR_DATA_KINDS:
        setattr(data, kind, bytes(value) if kind == "bytes" else value)
    elif kind == "http":
        http = data.http
        http.SetInParent()
        _fill_rpc_http(http, value)
    elif kind in ("dict", "list"):
        data.json = json.dumps(value)
    elif kind == "bool":
        data.int = int(value)
    elif kind.startswith("collection_"):
        data.json = json.dumps(list(azf_meta.Datum(value, kind).python_value))
    else:
        raise NotImplementedError(f"unexpected Datum type {kind!r}")
    return True


def _fill_rpc_http(http, value) -> None:
    http.status_code = str(value["status_code"].value)
    headers = http.headers
    for name, header in value["headers"].items():
        headers[name] = header.value
    body = value.get("body")
    if body is not None:
        _fill_typed_data(http.body, body)
    for cookie in value.get("cookies") or ():
        http.cookies.extend(_rpc_cookie(name, morsel) for name, morsel in cookie.items())


def _rpc_cookie(name: str, morsel) -> protos.RpcHttpCookie:
    cookie = protos.RpcHttpCookie(name=name, value=morsel.value)
    if morsel["domain"]:
        cookie.domain.value = morsel["domain"]
    if morsel["path"]:
        cookie.path.value = morsel["path"]
    if morsel["expires"]:
        stamp = Timestamp()
        stamp.FromDatetime(email.utils.parsedate_to_datetime(morsel["expires"]))
        cookie.expires.CopyFrom(nullable.NullableTimestamp(value=stamp))
    if morsel["max-age"] not in ("", None):
        cookie.max_age.value = float(morsel["max-age"])
    cookie.secure.value = bool(morsel["secure"])
    cookie.http_only.value = bool(morsel["httponly"])
    cookie.same_site = SAME_SITE.get(str(morsel["samesite"] or "").lower(),
                                     protos.RpcHttpCookie.SameSite.Value("None"))
    return cookie


def _encode(encode, value, pytype, is_http: bool, binding_name: str):
    """The TypedData for an output value (None = no value)."""
    data = protos.TypedData()
    return data if _encode_into(data, encode, value, pytype, is_http, binding_name) else None


def _encode_into(data, encode, value, pytype, is_http: bool, binding_name: str) -> bool:
    """Encodes an output value into the empty TypedData ``data``; False when there is none."""
    try:
        datum = encode(value, expected_type=pytype)
    except NotImplementedError:
        raise TypeError(f"binding {binding_name!r} cannot encode a "
                        f"{type(value).__name__} value") from None
    if is_http and datum is not None and datum.type == "string":  # str from an http function
        http = data.http
        http.status_code = "200"
        http.headers["content-type"] = "text/plain; charset=utf-8"
        http.body.string = datum.value
        return True
    return _fill_typed_data(data, datum)


def _record_type(name: str, base: type, fields: typing.Sequence[str]) -> type:
    """A concrete subclass of an azure.functions ABC whose ``fields`` are read-only properties."""
    def __init__(self, *values):
        self._values = values
    namespace = {"__init__": __init__, "__doc__": f"``{base.__name__}`` implementation."}
    for index, field in enumerate(fields):
        namespace[field] = property(lambda self, i=index: self._values[i])
    return type(name, (base,), namespace)


TraceContext = _record_type("TraceContext", azf_abc.TraceContext,
                            ("trace_parent", "trace_state", "attributes"))
RpcExceptionInfo = _record_type("RpcExceptionInfo", azf_abc.RpcException,
                                ("source", "stack_trace", "message"))
RetryContext = _record_type("RetryContext", azf_abc.RetryContext,
                            ("retry_count", "max_retry_count", "exception"))
InvocationContext = _record_type("InvocationContext", azf_abc.Context, (
    "invocation_id", "function_name", "function_directory", "trace_context", "retry_context",
    "thread_local_storage"))


def make_context(request, info: "FunctionInfo", thread_local) -> InvocationContext:
    trace, retry = request.trace_context, request.retry_context
    error = retry.exception
    return InvocationContext(
        request.invocation_id, info.name, info.directory,
        TraceContext(trace.trace_parent, trace.trace_state, dict(trace.attributes)),
        RetryContext(retry.retry_count, retry.max_retry_count,
                     RpcExceptionInfo(error.source, error.stack_trace, error.message)),
        thread_local)


def rpc_exception(exc: BaseException, locate: bool = False) -> protos.RpcException:
    """RpcException{message "ExcType: msg", stack_trace}; ``locate`` adds file and line."""
    if isinstance(exc, SyntaxError):
        message = f"{type(exc).__name__}: {exc.msg} ({exc.filename}, line {exc.lineno})"
    else:
        message = f"{type(exc).__name__}: {exc}"
        if locate:
            frames = _user_frames(exc)
            if frames:
                message += f" ({frames[-1].filename}, line {frames[-1].lineno})"
    for note in getattr(exc, "__notes__", None) or ():
        message += f"; {note}"
    return protos.RpcException(message=message, stack_trace="".join(
        traceback.format_exception(type(exc), exc, exc.__traceback__)))


# === Logging ===================================================================================

def rpc_level(levelno: int) -> int:
    """CRITICAL->Critical, ERROR->Error, WARNING->Warning, INFO->Information, DEBUG->Debug."""
    return next((level for threshold, level in LOG_LEVELS if levelno >= threshold),
                protos.RpcLog.Trace)


def python_level(rpc_level_value: int) -> int:
    """RpcLog.Level -> logging level (Trace and Debug -> DEBUG, None -> above CRITICAL)."""
    if rpc_level_value == protos.RpcLog.Level.Value("None"):
        return logging.CRITICAL + 1
    return next((py for py, rpc in LOG_LEVELS if rpc == rpc_level_value), logging.DEBUG)


def user_log_level(log_categories: typing.Mapping[str, int]) -> int:
    """The root logger's level: the lowest level any function category asks for (host.json
    ``logging.logLevel`` sent as WorkerInitRequest.log_categories); DEBUG when none is sent, so
    that every record reaches the host, which filters."""
    levels = [python_level(level) for category, level in log_categories.items()
              if category.lower() in ("default", "function", "host.function.console")
              or category.lower().startswith("function.")]
    return min(levels) if levels else logging.DEBUG


def current_invocation_id(thread_local) -> str:
    return INVOCATION_ID.get() or getattr(thread_local, "invocation_id", None) or ""


class RpcLogHandler(logging.Handler):
    """Sends log records to the host as RpcLog, tagged with the current invocation id."""

    def __init__(self, post: typing.Callable, request_id: str, thread_local) -> None:
        super().__init__()
        self._post, self._request_id, self._thread_local = post, request_id, thread_local

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._post(self.to_message(record))
        except Exception:
            self.handleError(record)

    def to_message(self, record: logging.LogRecord):
        message = protos.StreamingMessage(request_id=self._request_id)
        log = message.rpc_log
        log.invocation_id = current_invocation_id(self._thread_local)
        log.category = record.name
        log.level = rpc_level(record.levelno)
        log.message = record.getMessage()
        log.log_category = LOG_SYSTEM if record.name.startswith(SYSTEM_LOGGER_PREFIXES) \
            else LOG_USER
        if record.exc_info and record.exc_info[1] is not None:
            log.exception.CopyFrom(rpc_exception(record.exc_info[1]))
        return message


class StdoutForwarder(io.TextIOBase):
    """Replaces sys.stdout: complete lines printed during an invocation become RpcLogs."""

    def __init__(self, real, thread_local) -> None:
        super().__init__()
        self._real, self._thread_local = real, thread_local
        self._partial: typing.Dict[str, str] = {}
        self._lock = threading.Lock()
        self.sink: typing.Optional[typing.Callable[[str, str], None]] = None

    def write(self, text: str) -> int:
        invocation_id = current_invocation_id(self._thread_local)
        if not invocation_id or self.sink is None:
            return self._real.write(text)
        with self._lock:
            lines = (self._partial.pop(invocation_id, "") + text).split("\n")
            if lines[-1]:
                self._partial[invocation_id] = lines[-1]
        for line in lines[:-1]:
            if line:
                self.sink(invocation_id, line.rstrip("\r"))
        return len(text)

    def flush_invocation(self, invocation_id: str) -> None:
        if invocation_id not in self._partial:  # the usual case: nothing held back
            return
        with self._lock:
            rest = self._partial.pop(invocation_id, "")
        if rest and self.sink is not None:
            self.sink(invocation_id, rest)

    def flush(self) -> None:
        self._real.flush()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self):
        return getattr(self._real, "encoding", "utf-8")

    def fileno(self) -> int:
        return self._real.fileno()


def make_print_sink(post: typing.Callable, request_id: str):
    def sink(invocation_id: str, line: str) -> None:
        message = protos.StreamingMessage(request_id=request_id)
        log = message.rpc_log
        log.invocation_id, log.category, log.message = invocation_id, PRINT_CATEGORY, line
        log.level, log.log_category = LEVEL_INFORMATION, LOG_USER
        post(message)
    return sink


# === Worker: wires transport, dispatcher and logging together ==================================

class Worker:
    def __init__(self, args: LaunchArgs) -> None:
        self.args = args
        self.leftover_threads = False

    async def run(self) -> int:
        log = logging.getLogger(LOGGER_NAME)
        transport = (UnixTransport(self.args.uds_path) if self.args.uds_path
                     else Transport(self.args.host, self.args.port))
        try:
            await transport.connect()
        except ConnectionError as exc:
            print(f"functions-host python worker: {exc}", file=sys.stderr, flush=True)
            return 1
        app_dir = (os.environ.get("FUNCTIONS_APPLICATION_DIRECTORY")
                   or os.environ.get("AzureWebJobsScriptRoot") or os.getcwd())
        thread_local, stopped = threading.local(), asyncio.Event()
        stdout = StdoutForwarder(sys.stdout, thread_local)
        dispatcher = Dispatcher(transport.post, self.args.request_id, app_dir, stdout,
                                thread_local, stopped.set)
        transport.post(protos.StreamingMessage(
            request_id=self.args.request_id,
            start_stream=protos.StartStream(worker_id=self.args.worker_id)))
        root = logging.getLogger()
        root.setLevel(logging.DEBUG)  # user records at every level go to the host, which filters
        for name, level in QUIET_LOGGERS:
            logging.getLogger(name).setLevel(level)
        console_handlers = list(root.handlers)
        rpc_handler = RpcLogHandler(transport.post, self.args.request_id, dispatcher.thread_local)
        for handler in console_handlers:
            root.removeHandler(handler)
        root.addHandler(rpc_handler)
        stdout.sink = make_print_sink(transport.post, self.args.request_id)
        real_stdout, sys.stdout = sys.stdout, stdout
        reader = asyncio.create_task(self._read(transport, dispatcher))
        stopper = asyncio.create_task(stopped.wait())
        terminated = False
        try:
            done, _ = await asyncio.wait({reader, stopper}, return_when=asyncio.FIRST_COMPLETED)
            terminated = stopper in done
            if terminated:
                log.info("worker terminating at the host's request")
            await transport.close(flush=terminated)
        finally:
            reader.cancel()
            stopper.cancel()
            sys.stdout = real_stdout
            root.removeHandler(rpc_handler)
            for handler in console_handlers:
                root.addHandler(handler)
            self.leftover_threads = dispatcher.shutdown()
        if not terminated:
            print("functions-host python worker: the host closed the stream; exiting",
                  file=sys.stderr, flush=True)
        return 0

    @staticmethod
    async def _read(transport: Transport, dispatcher: Dispatcher) -> None:
        try:
            serve = getattr(transport, "serve", None)
            if serve is not None:
                await serve(dispatcher.dispatch)
            else:
                async for message in transport.inbound():
                    dispatcher.dispatch(message)
        except grpc.aio.AioRpcError as exc:
            print(f"functions-host python worker: stream ended: {exc.code().name} "
                  f"{exc.details() or ''}".rstrip(), file=sys.stderr, flush=True)
        except OSError as exc:
            print(f"functions-host python worker: connection ended: {exc}", file=sys.stderr, flush=True)


def main(argv: typing.Optional[typing.Sequence[str]] = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="LanguageWorkerConsoleLog%(levelname)s %(name)s: %(message)s")
    worker = Worker(args)
    code = asyncio.run(worker.run())
    sys.stdout.flush()
    sys.stderr.flush()
    if worker.leftover_threads:  # sync functions still running past the grace period
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    main()
