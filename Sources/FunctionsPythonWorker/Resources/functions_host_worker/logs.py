"""Logging: RpcLog records tagged with the invocation id, and print() forwarding."""
from __future__ import annotations

import io
import logging
import threading
import typing

import FunctionRpc_pb2 as protos

from .constants import (
    INVOCATION_ID, LEVEL_INFORMATION, LOG_LEVELS, LOG_SYSTEM, LOG_USER, PRINT_CATEGORY,
    SYSTEM_LOGGER_PREFIXES,
)
from .bindings import rpc_exception


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
