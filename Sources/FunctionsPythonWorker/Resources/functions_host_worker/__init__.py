"""Python language worker for functions-host (Azure Functions language-worker protocol).

Connects to the host's gRPC EventStream (or its Unix socket) and runs functions written against
``azure.functions`` (classic function.json folders imported as package ``__app__``, or a
function_app.py decorator app). ``worker.py`` next to this package is the entry script the host
launches; it calls :func:`main`.

Modules, one per section: ``constants``, ``cli`` (launch arguments), ``h2stream`` and
``h2client`` (the EventStream as a lean gRPC client on h2: the default), ``transport`` (the grpcio and raw
Unix-socket fallbacks), ``dispatcher`` (one ``_handle_<kind>`` per message kind), ``runner``
(sync functions on threads), ``loader`` (loader/registry), ``bindings`` (TypedData <-> Python via the library's
converters), ``proxy`` (the HTTP server for proxied, streamed invocations, on uvicorn) and
``streaming`` (which functions stream and how their responses are written), ``logs`` (RpcLog tagged with the invocation id from a context variable) and
``wiring`` (the worker itself). State lives in objects; module-level names are constants.
Modules import each other relatively, so no name here can shadow, or be shadowed by, app code.
"""
from .bindings import (
    GenericBinding, OutValue, TriggerMetadata, datum_from_typed_data, make_context, rpc_exception,
    typed_data_from_datum,
)
from .cli import LaunchArgs, parse_args
from .constants import INVOCATION_ID, LOGGER_NAME, WORKER_VERSION
from .dispatcher import Dispatcher
from .loader import FunctionInfo, FunctionLoader, FunctionLoadError, function_id_for
from .logs import (
    RpcLogHandler, StdoutForwarder, current_invocation_id, make_print_sink, python_level,
    rpc_level, user_log_level,
)
from .runner import SyncRunner
from .transport import Transport
from .wiring import H2Transport, Worker, main, make_transport

__all__ = [
    "Dispatcher", "FunctionInfo", "FunctionLoadError", "FunctionLoader", "GenericBinding",
    "H2Transport",
    "INVOCATION_ID", "LOGGER_NAME", "LaunchArgs", "OutValue", "RpcLogHandler", "StdoutForwarder",
    "SyncRunner", "Transport", "TriggerMetadata", "WORKER_VERSION", "Worker",
    "current_invocation_id", "datum_from_typed_data", "function_id_for", "main", "make_context",
    "make_print_sink", "make_transport", "parse_args", "python_level", "rpc_exception", "rpc_level",
    "typed_data_from_datum", "user_log_level",
]
