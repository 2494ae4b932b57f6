"""Bindings: protobuf TypedData <-> azure.functions Datum / Python values."""
from __future__ import annotations

import collections.abc
import email.utils
import json
import os
import traceback
import typing

from google.protobuf.timestamp_pb2 import Timestamp
import azure.functions as azf
from azure.functions import _abc as azf_abc
from azure.functions import meta as azf_meta

import FunctionRpc_pb2 as protos
import NullableTypes_pb2 as nullable

from .constants import SAME_SITE, SCALAR_DATA_KINDS

#: This package's directory: frames of its modules are the worker's, not the app's.
_PACKAGE_DIR = os.path.dirname(__file__)


def _user_frames(exc: BaseException):
    """The traceback's frames outside the worker (every module of this package)."""
    return [f for f in traceback.extract_tb(exc.__traceback__)
            if not f.filename.startswith("<") and os.path.dirname(f.filename) != _PACKAGE_DIR]


def _is_subclass(annotation, cls) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, cls)


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
        # The azure-functions converter contract: NotImplementedError means "this converter cannot encode
        # that value"; the caller turns it into a TypeError naming the binding.
        raise NotImplementedError(f"the generic binding cannot encode a {type(obj).__name__}")


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
        raise TypeError(f"a converter returned a Datum of unsupported type {kind!r}")
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
