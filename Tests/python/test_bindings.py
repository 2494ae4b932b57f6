"""TypedData <-> Python conversion through the azure.functions converters."""
import json

import azure.functions as func
import pytest
from azure.functions import meta
from azure.functions.http import HttpRequestConverter, HttpResponseConverter

import FunctionRpc_pb2 as protos


def http_request(**overrides):
    fields = dict(method="POST", url="http://localhost/api/items/7?name=ann",
                  headers={"content-type": "application/json", "x-tag": "a,b"},
                  query={"name": "ann"}, params={"id": "7"},
                  body=protos.TypedData(bytes=b'{"n": 1}'))
    fields.update(overrides)
    return protos.TypedData(http=protos.RpcHttp(**fields))


def test_http_request_in(worker_module):
    datum = worker_module.datum_from_typed_data(http_request())
    assert datum.type == "http"
    req = HttpRequestConverter.decode(datum, trigger_metadata={})
    assert isinstance(req, func.HttpRequest)
    assert req.method == "POST"
    assert req.url == "http://localhost/api/items/7?name=ann"
    assert req.headers["x-tag"] == "a,b"
    assert req.params == {"name": "ann"}
    assert req.route_params == {"id": "7"}
    assert req.get_body() == b'{"n": 1}'
    assert req.get_json() == {"n": 1}


def test_http_request_without_body_has_empty_bytes(worker_module):
    typed = protos.TypedData(http=protos.RpcHttp(method="GET", url="http://h/"))
    req = HttpRequestConverter.decode(worker_module.datum_from_typed_data(typed),
                                      trigger_metadata={})
    assert req.get_body() == b""
    assert dict(req.headers) == {}


def test_http_request_string_body(worker_module):
    req = HttpRequestConverter.decode(
        worker_module.datum_from_typed_data(http_request(body=protos.TypedData(string="héllo"))),
        trigger_metadata={})
    assert req.get_body() == "héllo".encode()


@pytest.mark.parametrize("typed, expected_type, expected_value", [
    (protos.TypedData(string="s"), "string", "s"),
    (protos.TypedData(bytes=b"\x00\x01"), "bytes", b"\x00\x01"),
    (protos.TypedData(stream=b"st"), "bytes", b"st"),
    (protos.TypedData(json='{"a": [1]}'), "json", '{"a": [1]}'),
    (protos.TypedData(int=-5), "int", -5),
    (protos.TypedData(double=2.5), "double", 2.5),
])
def test_scalar_typed_data_in(worker_module, typed, expected_type, expected_value):
    datum = worker_module.datum_from_typed_data(typed)
    assert (datum.type, datum.value) == (expected_type, expected_value)


def test_collections_and_empty_typed_data_in(worker_module):
    datum = worker_module.datum_from_typed_data(
        protos.TypedData(collection_string=protos.CollectionString(string=["a", "b"])))
    assert datum.type == "collection_string" and datum.python_value == ["a", "b"]
    assert worker_module.datum_from_typed_data(protos.TypedData()) is None


def test_trigger_metadata_is_converted_lazily_and_never_mutated(worker_module):
    request = protos.InvocationRequest()
    request.trigger_metadata["Id"].string = "42"
    view = worker_module.TriggerMetadata(request.trigger_metadata)
    assert view.get("Id") == meta.Datum("42", "string")
    assert view.get("Missing") is None
    assert "Missing" not in request.trigger_metadata
    assert list(view) == ["Id"] and len(view) == 1


def encode(worker_module, converter, value, *, http=False):
    from functions_host_worker.bindings import _encode  # private: not re-exported by worker.py
    return _encode(converter.encode, value, None, http, "$return")


def test_http_response_out_with_cookies(worker_module):
    response = func.HttpResponse("created", status_code=201, headers={"x-id": "7"})
    response.headers.add("Set-Cookie", "session=abc; Domain=example.com; Path=/app; Secure; "
                                       "HttpOnly; SameSite=Strict; Max-Age=60")
    response.headers.add("Set-Cookie", "theme=dark; Expires=Thu, 01 Jan 2037 00:00:00 GMT")
    typed = encode(worker_module, HttpResponseConverter, response, http=True)
    http = typed.http
    assert http.status_code == "201"
    assert http.headers["x-id"] == "7"
    assert http.headers["content-type"] == "text/plain; charset=utf-8"
    assert "Set-Cookie" not in http.headers
    assert http.body.bytes == b"created"
    assert not http.enable_content_negotiation
    session, theme = http.cookies
    assert (session.name, session.value) == ("session", "abc")
    assert session.domain.value == "example.com" and session.path.value == "/app"
    assert session.secure.value and session.http_only.value
    assert session.same_site == protos.RpcHttpCookie.Strict
    assert session.max_age.value == 60.0
    assert (theme.name, theme.value) == ("theme", "dark")
    assert theme.expires.value.seconds == 2114380800  # 2037-01-01T00:00:00Z
    assert not theme.HasField("domain") and not theme.secure.value


def test_http_response_json_body_and_mimetype(worker_module):
    response = func.HttpResponse(json.dumps({"ok": True}), mimetype="application/json")
    http = encode(worker_module, HttpResponseConverter, response, http=True).http
    assert http.status_code == "200"
    assert http.headers["content-type"] == "application/json"
    assert json.loads(http.body.bytes) == {"ok": True}


def test_str_returned_from_http_function_is_a_200_text_response(worker_module):
    http = encode(worker_module, HttpResponseConverter, "Hello, ann!", http=True).http
    assert http.status_code == "200"
    assert http.headers["content-type"].startswith("text/plain")
    assert http.body.string == "Hello, ann!"


def test_http_converter_rejects_other_types(worker_module):
    with pytest.raises(TypeError, match="cannot encode a dict"):
        encode(worker_module, HttpResponseConverter, {"a": 1}, http=True)


@pytest.mark.parametrize("value, field, expected", [
    ("text", "string", "text"),
    (b"raw", "bytes", b"raw"),
    (bytearray(b"ba"), "bytes", b"ba"),
    (7, "int", 7),
    (True, "int", 1),
    (1.5, "double", 1.5),
    ({"a": [1, 2]}, "json", '{"a": [1, 2]}'),
    ([1, "x"], "json", '[1, "x"]'),
])
def test_generic_binding_out(worker_module, value, field, expected):
    typed = encode(worker_module, worker_module.GenericBinding, value)
    assert typed.WhichOneof("data") == field
    assert getattr(typed, field) == expected


def test_json_datum_out(worker_module):
    typed = worker_module.typed_data_from_datum(meta.Datum('{"k": 1}', "json"))
    assert typed.json == '{"k": 1}'
    assert worker_module.typed_data_from_datum(meta.Datum(None, None)) is None


def test_function_info_round_trip_with_out_binding(worker_module):
    def handler(req: func.HttpRequest, msg: func.Out[str], context: func.Context) -> str:
        msg.set(f"queued {req.params['name']}")
        return f"hi {req.params['name']} from {context.function_name}"

    info = worker_module.FunctionInfo(
        "fid", "greet", "/app", handler,
        {"req": ("httpTrigger", 0), "msg": ("queue", 1), "$return": ("http", 1)})
    request = protos.InvocationRequest(invocation_id="inv-1", function_id="fid")
    request.input_data.add(name="req", data=http_request(query={"name": "ann"}))
    request.trace_context.trace_parent = "00-abc-def-01"
    args = info.build_args(request, thread_local=None)
    assert set(args) == {"req", "msg", "context"}
    assert args["context"].invocation_id == "inv-1"
    assert args["context"].trace_context.trace_parent == "00-abc-def-01"
    result = handler(**args)
    response = protos.InvocationResponse()
    info.encode_outputs(result, args, response)
    assert [(b.name, b.data.string) for b in response.output_data] == [("msg", "queued ann")]
    assert response.return_value.http.body.string == "hi ann from greet"


def test_unset_out_binding_is_omitted_and_unexpected_return_is_ignored(worker_module, caplog):
    def handler(req, out: func.Out[bytes]):
        return "surprise"

    info = worker_module.FunctionInfo("fid", "f", "/app", handler,
                                      {"req": ("httpTrigger", 0), "out": ("blob", 1)})
    args = {"out": worker_module.OutValue()}
    for _ in range(2):
        response = protos.InvocationResponse()
        info.encode_outputs("surprise", args, response)
        assert len(response.output_data) == 0 and not response.HasField("return_value")
    warnings = [r for r in caplog.records if "no $return binding" in r.getMessage()]
    assert len(warnings) == 1, "warned once per function"
