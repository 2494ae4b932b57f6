"""Constants shared by every module of the worker."""
from __future__ import annotations

import contextvars
import logging
import sys
import types
import typing

import azure.functions as azf
from azure.functions import meta as azf_meta

import FunctionRpc_pb2 as protos


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

#: The RpcLog ``event_id`` that tells the host a cancelled invocation keeps running in its thread (a
#: Python thread cannot be stopped). Sent, before the Cancelled InvocationResponse, as a System log at
#: Warning level tagged with the invocation; the host then starts a replacement worker, sends new work
#: there, lets this worker's other invocations finish and stops it. Other hosts just log the line.
STILL_RUNNING_EVENT = "FunctionsHost.InvocationStillRunning"
LEVEL_WARNING = protos.RpcLog.Warning

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
                 ("asyncio", logging.WARNING), ("uvicorn", logging.WARNING))
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
