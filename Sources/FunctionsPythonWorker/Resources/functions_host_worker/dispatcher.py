"""Dispatcher: one ``_handle_<kind>`` per StreamingMessage kind, default log and ignore."""
from __future__ import annotations

import asyncio
import contextvars
import inspect
import logging
import os
import platform
import sys
import threading
import typing

import FunctionRpc_pb2 as protos

from .constants import (
    CANCELLED, CAPABILITIES, EAGER_TASKS, FAILURE, FLUSH_TIMEOUT_SECONDS, INVOCATION_ID,
    LEVEL_ERROR, LEVEL_WARNING, LOGGER_NAME, LOG_SYSTEM, LOG_USER, STILL_RUNNING_EVENT, SUCCESS,
    WORKER_VERSION, _STARTING,
)
from .runner import SyncRunner, _thread_count
from .loader import FunctionLoader
from .bindings import rpc_exception
from .proxy import HttpProxy, ProxyError
from . import streaming
from .logs import user_log_level


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
        self._sync_calls: typing.Dict[str, typing.Tuple[asyncio.Future, str, SyncRunner]] = {}
        #: Proxied invocations already answered whose response is still streaming.
        self._streams: typing.Dict[str, asyncio.Task] = {}
        self.proxy = HttpProxy()
        self._buffered_warned: typing.Set[str] = set()
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
        self.proxy.bind(os.environ)
        self._send(worker_init_response=protos.WorkerInitResponse(
            worker_version=WORKER_VERSION, capabilities=self.capabilities(),
            result=protos.StatusResult(status=SUCCESS), worker_metadata=self._worker_metadata()))

    def capabilities(self) -> typing.Dict[str, str]:
        return {**CAPABILITIES, **self.proxy.capabilities()}

    def _start_proxy(self, what: str) -> None:
        try:
            self.proxy.ensure_started()
        except ProxyError as exc:
            self._log.error("%s streams, but %s", what, exc)
            raise

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
                streamed = [m.name for m in results if streaming.PROXY_PROPERTY in m.properties]
                if streamed and self.proxy.bound:
                    try:
                        self._start_proxy(f"function {streamed[0]!r}")
                    except ProxyError:
                        pass  # logged; loading the function says it again
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
            info = self.loader.load(request.function_id, request.metadata)
            if info.stream_style is not None and self.proxy.bound:
                try:
                    self._start_proxy(f"function {info.name!r}")
                except ProxyError:
                    if info.stream_style == streaming.ASGI:
                        raise  # it cannot run at all without the server
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
            stream = self._streams.pop(invocation_id, None)
            if stream is not None:  # answered already; its response is still streaming
                stream.cancel()
            return  # already answered, or unknown
        call = self._sync_calls.pop(invocation_id, None)
        if call is not None and call[2].cancel(call[0]):
            self._report_still_running(invocation_id, call[1])
        task.cancel()  # an async function sees CancelledError; a sync one's result is dropped
        self._finish_output(invocation_id)
        response = protos.StreamingMessage(request_id=self._request_id)
        response.invocation_response.invocation_id = invocation_id
        response.invocation_response.result.status = CANCELLED
        self._post(response)

    def _report_still_running(self, invocation_id: str, function_name: str) -> None:
        """Tells the host that a cancelled sync invocation keeps its thread busy (STILL_RUNNING_EVENT);
        sent before the Cancelled response, while the host still tracks the invocation."""
        log = protos.StreamingMessage(request_id=self._request_id)
        log.rpc_log.invocation_id = invocation_id
        log.rpc_log.category = LOGGER_NAME
        log.rpc_log.event_id = STILL_RUNNING_EVENT
        log.rpc_log.level = LEVEL_WARNING
        log.rpc_log.log_category = LOG_SYSTEM
        log.rpc_log.message = (
            f"invocation {invocation_id} of {function_name!r} was cancelled, but its thread keeps "
            "running (a Python thread cannot be stopped); this worker should be replaced")
        self._post(log)

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
        response = protos.FunctionEnvironmentReloadResponse(worker_metadata=self._worker_metadata())
        try:
            old_threads = _thread_count()
            os.environ.clear()
            os.environ.update(request.environment_variables)
            self.proxy.bind(os.environ)  # a placeholder worker learns its socket path only now
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
        response.capabilities.update(self.capabilities())
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
        if info is not None and self.proxy.bound and \
                streaming.is_proxied(request, info.http_trigger):
            await self._invoke_proxied(request, info, message)
            return
        try:
            if info is None:
                raise RuntimeError(f"function {request.function_id!r} is not loaded")
            if info.stream_style == streaming.ASGI:
                raise RuntimeError(
                    f"function {info.name!r} takes a Starlette/FastAPI Request or returns a "
                    "Starlette Response, so the host must proxy its HTTP requests to the worker "
                    "(HttpUri); this invocation came as a buffered RpcHttp")
            args = info.build_args(request, self.thread_local)
            result = await self._call(info, args, invocation_id)
            if info.stream_style == streaming.GENERATOR:
                result = await self._buffer(info, result)
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

    async def _call(self, info, args, invocation_id: str):
        """Calls the function: async ones on the loop, sync ones on the thread pool."""
        if info.is_async:
            return await info.func(**args)
        pool = self._pool
        call = pool.submit(contextvars.copy_context(), info.func, args)
        self._sync_calls[invocation_id] = (call, info.name, pool)
        try:
            result, error = await call
        finally:
            self._sync_calls.pop(invocation_id, None)
        if error is not None:
            raise error
        if inspect.isawaitable(result):  # e.g. a plain wrapper around a coroutine
            result = await result
        return result

    async def _buffer(self, info, generator):
        """A generator function the host did not proxy: its items become one buffered body."""
        if info.name not in self._buffered_warned:
            self._buffered_warned.add(info.name)
            self._log.warning("function %r is a generator but its HTTP requests are not proxied "
                              "(a function.json app, or a host without HttpUri support): its "
                              "items are collected into one buffered response (said once per "
                              "function)", info.name)
        return await streaming.buffer_generator(streaming.GeneratorStream(generator, self._pool))

    async def _invoke_proxied(self, request, info, message) -> None:
        """A proxied invocation: pairs it with its HTTP request, calls the function with the real
        request, answers the host as soon as a response exists, then streams that response."""
        invocation_id = request.invocation_id
        response = message.invocation_response
        task = asyncio.current_task()
        exchange, write = None, None
        try:
            exchange = await self.proxy.pairing.claim(invocation_id, self.proxy.timeout)
            exchange.on_disconnect = task.cancel
            params = streaming.route_params(request, info.http_trigger)
            args = info.build_args(request, self.thread_local)
            if info.request_class is not None:
                args[info.http_trigger] = streaming.starlette_request(
                    info.request_class, exchange, params)
            elif info.http_trigger is not None:
                args[info.http_trigger] = await streaming.http_request(exchange, params)
            result = await self._call(info, args, invocation_id)
            if info.stream_style == streaming.GENERATOR:
                stream = streaming.GeneratorStream(result, self._pool)
                write = lambda: streaming.stream_generator(exchange, stream)  # noqa: E731
                result = None
            elif info.stream_style == streaming.ASGI:
                app = streaming.asgi_response(result)
                write = lambda: app(exchange.scope, exchange.receive, exchange.send)  # noqa: E731
                result = None
            info.encode_outputs(result, args, response)
            if write is None:  # a plain function the host proxied anyway (a stock host)
                http = response.return_value.http if response.HasField("return_value") else None
                plain = streaming.plain_response(http, result)
                write = lambda: streaming.send_http_response(exchange, plain)  # noqa: E731
            response.result.status = SUCCESS
        except asyncio.CancelledError as exc:
            if invocation_id not in self._inflight:
                if exchange is not None:
                    exchange.finish()
                raise  # cancelled by the host: the Cancelled response has been sent already
            self._fail(info, invocation_id, response, exc)  # the client went away first
        except BaseException as exc:  # noqa: B036 -- user code may raise SystemExit & co.
            self._fail(info, invocation_id, response, exc)
        self._finish_output(invocation_id)
        if self._inflight.pop(invocation_id, None) is not None:
            self._post(message)
        if write is None:
            if exchange is not None:
                exchange.finish()  # its server answers 500
            return
        self._streams[invocation_id] = task
        try:
            await write()
        except asyncio.CancelledError:
            self._log.info("invocation %s: the response stream stopped (client gone or "
                           "invocation cancelled)", invocation_id)
        except Exception as exc:  # the host has its answer; the client sees a cut stream
            self._log.error("invocation %s of %r: writing the streamed response failed: %s",
                            invocation_id, info.name, rpc_exception(exc).message)
        finally:
            self._streams.pop(invocation_id, None)
            self._finish_output(invocation_id)
            exchange.finish()

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
        for task in [*self._inflight.values(), *self._streams.values()]:
            task.cancel()
        self.proxy.close()
        return self._pool.shutdown(cancel_pending=True)

