"""Loading user code: the __app__ package (classic model) and function_app.py indexing."""
import json
import sys
import uuid

import pytest

import FunctionRpc_pb2 as protos
from conftest import write_app

HTTP_BINDINGS = {"req": protos.BindingInfo(type="httpTrigger", direction=0),
                 "$return": protos.BindingInfo(type="http", direction=1)}

CLASSIC_APP = {
    "shared_code/__init__.py": "",
    "shared_code/helper.py": "def shout(s):\n    return s.upper()\n",
    "Relative/__init__.py": """
        from . import example
        from .example import NAME
        from ..shared_code import helper
        from __app__ import shared_code
        import __app__.shared_code.helper

        def main(req):
            return helper.shout(example.NAME) + shared_code.__name__ + NAME
        """,
    "Relative/example.py": "NAME = 'example'\n",
    "BareImport/__init__.py": """
        import os

        import example  # a sibling module: must NOT be importable like this

        def main(req):
            return 'unreachable'
        """,
    "BareImport/example.py": "NAME = 'example'\n",
    "Broken/__init__.py": "def main(req):\n    x = = 1\n",
    "NoEntry/__init__.py": "def handler(req):\n    return 'x'\n",
    "Custom/main.py": "def customentry(req):\n    return 'custom'\n",
    "Typed/__init__.py": """
        import azure.functions as func

        def main(req: str) -> str:
            return req
        """,
    "Extra/__init__.py": "def main(req, unknown):\n    return 'x'\n",
}


def metadata(app, name, script="__init__.py", entry="", bindings=None):
    return protos.RpcFunctionMetadata(
        name=name, directory=str(app / name), script_file=str(app / name / script),
        entry_point=entry, bindings=HTTP_BINDINGS if bindings is None else bindings)


@pytest.fixture
def classic_app(tmp_path, isolated_imports):
    return write_app(tmp_path / "app", CLASSIC_APP)


@pytest.fixture
def dispatcher(worker_module, classic_app):
    sent = []
    dispatcher = worker_module.Dispatcher(sent.append, "rid", str(classic_app))
    dispatcher.sent = sent
    yield dispatcher
    dispatcher.shutdown()


def load(dispatcher, md, function_id="fid"):
    dispatcher.dispatch(protos.StreamingMessage(function_load_request=protos.FunctionLoadRequest(
        function_id=function_id, metadata=md)))
    message = dispatcher.sent.pop()
    assert message.WhichOneof("content") == "function_load_response"
    assert message.function_load_response.function_id == function_id
    return message.function_load_response.result


def test_relative_and_app_package_imports_work(dispatcher, classic_app):
    result = load(dispatcher, metadata(classic_app, "Relative"))
    assert result.status == protos.StatusResult.Success, result.exception.message
    info = dispatcher.loader.functions["fid"]
    assert info.func(None) == "EXAMPLE__app__.shared_codeexample"
    assert "__app__.Relative" in sys.modules and "example" not in sys.modules


def test_bare_import_of_a_sibling_fails_with_location(dispatcher, classic_app):
    result = load(dispatcher, metadata(classic_app, "BareImport"))
    assert result.status == protos.StatusResult.Failure
    message = result.exception.message
    assert message.startswith("ModuleNotFoundError: No module named 'example'")
    assert f"{classic_app / 'BareImport' / '__init__.py'}, line 3" in message
    assert "BareImport/__init__.py\", line 3" in result.exception.stack_trace


def test_syntax_error_reports_file_and_line(dispatcher, classic_app):
    result = load(dispatcher, metadata(classic_app, "Broken"))
    assert result.status == protos.StatusResult.Failure
    assert result.exception.message.startswith("SyntaxError: ")
    assert str(classic_app / "Broken" / "__init__.py") in result.exception.message
    assert ", line 2" in result.exception.message


def test_missing_entry_point(dispatcher, classic_app):
    result = load(dispatcher, metadata(classic_app, "NoEntry"))
    assert result.status == protos.StatusResult.Failure
    assert "FunctionLoadError" in result.exception.message
    assert "main() is not present" in result.exception.message


def test_a_failed_load_does_not_break_other_functions(dispatcher, classic_app):
    assert load(dispatcher, metadata(classic_app, "Broken"), "f1").status == \
        protos.StatusResult.Failure
    assert load(dispatcher, metadata(classic_app, "Relative"), "f2").status == \
        protos.StatusResult.Success
    assert set(dispatcher.loader.functions) == {"f2"}


def test_script_file_and_entry_point_from_metadata(dispatcher, classic_app):
    md = metadata(classic_app, "Custom", script="main.py", entry="customentry")
    md.script_file = "main.py"  # relative to the function directory
    assert load(dispatcher, md).status == protos.StatusResult.Success
    assert dispatcher.loader.functions["fid"].func(None) == "custom"


def test_http_trigger_annotation_mismatch_names_function_parameter_and_type(dispatcher,
                                                                            classic_app):
    result = load(dispatcher, metadata(classic_app, "Typed"))
    assert result.status == protos.StatusResult.Failure
    message = result.exception.message
    assert "Typed" in message and "'req'" in message and "azure.functions.HttpRequest" in message


def test_parameter_without_binding_is_a_load_error(dispatcher, classic_app):
    result = load(dispatcher, metadata(classic_app, "Extra"))
    assert result.status == protos.StatusResult.Failure
    assert "'unknown'" in result.exception.message


def test_binding_without_parameter_is_a_load_error(worker_module):
    def main(req):
        return None
    with pytest.raises(worker_module.FunctionLoadError, match="inputblob"):
        worker_module.FunctionInfo("fid", "f", "/app", main, {
            "req": ("httpTrigger", 0), "inputblob": ("blob", 0)})


DECORATOR_APP = {
    "function_app.py": """
        import azure.functions as func
        from blueprint import bp

        app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
        app.register_functions(bp)

        @app.route(route="hello/{name}", methods=["GET"])
        def hello(req: func.HttpRequest) -> str:
            return "hello " + req.route_params["name"]

        @app.function_name("ticker")
        @app.schedule(schedule="0 */5 * * * *", arg_name="timer", run_on_startup=False)
        @app.retry(strategy="fixed_delay", max_retry_count="3", delay_interval="00:00:10")
        def tick(timer: func.TimerRequest) -> None:
            pass
        """,
    "blueprint.py": """
        import azure.functions as func

        bp = func.Blueprint()

        @bp.route(route="bp")
        async def from_blueprint(req: func.HttpRequest) -> func.HttpResponse:
            return func.HttpResponse("bp")
        """,
}


def test_index_decorator_app(worker_module, tmp_path, isolated_imports):
    app = write_app(tmp_path / "v2", DECORATOR_APP)
    loader = worker_module.FunctionLoader(str(app))
    results = {m.name: m for m in loader.index(str(app))}
    assert set(results) == {"hello", "ticker", "from_blueprint"}
    hello = results["hello"]
    assert hello.function_id == str(uuid.uuid5(uuid.NAMESPACE_OID, "hello"))
    assert hello.directory == str(app)
    assert hello.script_file == str(app / "function_app.py")
    assert hello.entry_point == "hello" and hello.language == "python"
    assert dict(hello.properties) == {"worker_indexed": "True"}
    raw = [json.loads(b) for b in hello.raw_bindings]
    trigger = next(b for b in raw if b["type"] == "httpTrigger")
    assert trigger["name"] == "req" and trigger["route"] == "hello/{name}"
    assert trigger["direction"].lower() == "in"
    assert {k: (v.type, v.direction) for k, v in hello.bindings.items()} == \
        {"req": ("httpTrigger", 0), "$return": ("http", 1)}
    ticker = results["ticker"]
    assert ticker.retry_options.max_retry_count == 3
    assert ticker.retry_options.retry_strategy == protos.RpcRetryOptions.fixed_delay
    assert ticker.retry_options.delay_interval.seconds == 10
    # Indexing twice in one process answers from the cache (the library forbids re-building).
    assert [m.name for m in loader.index(str(app))] == list(results)


def test_worker_indexed_load_reindexes_in_a_fresh_worker(worker_module, tmp_path,
                                                          isolated_imports):
    app = write_app(tmp_path / "v2", DECORATOR_APP)
    loader = worker_module.FunctionLoader(str(app))  # never saw a FunctionsMetadataRequest
    md = protos.RpcFunctionMetadata(name="from_blueprint", directory=str(app),
                                    properties={"worker_indexed": "True", "FunctionId": "x"})
    info = loader.load(str(uuid.uuid5(uuid.NAMESPACE_OID, "from_blueprint")), md)
    assert info.is_async and info.name == "from_blueprint"
    assert set(info.inputs) == {"req"} and info.return_spec is not None


def test_index_without_function_app_uses_default_indexing(worker_module, tmp_path,
                                                          isolated_imports):
    assert worker_module.FunctionLoader(str(tmp_path)).index(str(tmp_path)) is None


def test_indexing_error_is_reported_with_location(worker_module, tmp_path, isolated_imports):
    app = write_app(tmp_path / "bad", {"function_app.py": """
        import azure.functions as func

        app = func.FunctionApp()
        raise RuntimeError("no config")
        """})
    sent = []
    dispatcher = worker_module.Dispatcher(sent.append, "rid", str(app))
    dispatcher.dispatch(protos.StreamingMessage(
        request_id="meta-1",
        functions_metadata_request=protos.FunctionsMetadataRequest(
            function_app_directory=str(app))))
    dispatcher.shutdown()
    reply = next(m for m in sent if m.WhichOneof("content") == "function_metadata_response")
    assert reply.request_id == "meta-1"
    response = reply.function_metadata_response
    assert response.result.status == protos.StatusResult.Failure
    assert response.result.exception.message.startswith("RuntimeError: no config")
    assert f"{app / 'function_app.py'}, line 4" in response.result.exception.message
    assert "function_app.py\", line 4" in response.result.exception.stack_trace
