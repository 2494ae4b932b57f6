"""Why functions are missing: indexing reasons, import hints, and the user log level."""
import logging

import pytest

import FunctionRpc_pb2 as protos
from conftest import write_app

HTTP_BINDINGS = {"req": protos.BindingInfo(type="httpTrigger", direction=0),
                 "$return": protos.BindingInfo(type="http", direction=1)}


def index_reply(worker_module, app):
    sent = []
    dispatcher = worker_module.Dispatcher(sent.append, "rid", str(app))
    handler = _Collect()
    logging.getLogger(worker_module.LOGGER_NAME).addHandler(handler)
    try:
        dispatcher.dispatch(protos.StreamingMessage(
            request_id="m", functions_metadata_request=protos.FunctionsMetadataRequest(
                function_app_directory=str(app))))
    finally:
        logging.getLogger(worker_module.LOGGER_NAME).removeHandler(handler)
        dispatcher.shutdown()
    reply = next(m for m in sent if m.WhichOneof("content") == "function_metadata_response")
    return reply.function_metadata_response, handler.records


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(record)


def test_no_function_app_instance_says_so_and_names_the_blueprint(worker_module, tmp_path,
                                                                  isolated_imports):
    app = write_app(tmp_path / "a", {"function_app.py": """
        import azure.functions as func

        bp = func.Blueprint()

        @bp.route(route="x")
        def x(req: func.HttpRequest) -> str:
            return "x"
        """})
    response, records = index_reply(worker_module, app)
    assert response.result.status == protos.StatusResult.Failure
    message = response.result.exception.message
    assert "no top-level azure.functions.FunctionApp instance" in message, message
    assert "app.register_functions(bp)" in message, message
    assert any(r.levelno == logging.ERROR and "FunctionApp" in r.getMessage() for r in records)


def test_zero_functions_is_logged_as_an_error_with_the_reason(worker_module, tmp_path,
                                                             isolated_imports):
    app = write_app(tmp_path / "b", {"function_app.py": """
        import azure.functions as func

        app = func.FunctionApp()
        """})
    response, records = index_reply(worker_module, app)
    assert response.result.status == protos.StatusResult.Success
    assert len(response.function_metadata_results) == 0
    errors = [r.getMessage() for r in records if r.levelno == logging.ERROR]
    assert any("defines FunctionApp app but no functions" in e for e in errors), errors
    assert "no functions" in response.result.result


def test_unregistered_blueprint_is_warned_about(worker_module, tmp_path, isolated_imports):
    app = write_app(tmp_path / "c", {
        "function_app.py": """
            import azure.functions as func
            from more import extra

            app = func.FunctionApp()

            @app.route(route="x")
            def x(req: func.HttpRequest) -> str:
                return "x"
            """,
        "more.py": """
            import azure.functions as func

            extra = func.Blueprint()

            @extra.route(route="y")
            def y(req: func.HttpRequest) -> str:
                return "y"
            """})
    response, records = index_reply(worker_module, app)
    assert [m.name for m in response.function_metadata_results] == ["x"]
    warnings = [r.getMessage() for r in records if r.levelno == logging.WARNING]
    assert any("app.register_functions(extra)" in w for w in warnings), warnings


def test_import_error_in_function_app_names_file_line_and_requirements(worker_module, tmp_path,
                                                                      isolated_imports):
    app = write_app(tmp_path / "d", {"function_app.py": """
        import azure.functions as func
        import surely_not_installed_pkg

        app = func.FunctionApp()
        """})
    response, _ = index_reply(worker_module, app)
    message = response.result.exception.message
    assert message.startswith("ModuleNotFoundError: No module named 'surely_not_installed_pkg'")
    assert f"{app / 'function_app.py'}, line 2" in message
    assert "requirements.txt" in message


@pytest.mark.parametrize("source, hint", [
    ("import example\n", "from . import example"),
    ("from example import NAME\n", "from . import example"),
    ("import shared_code\n", "from __app__ import shared_code"),
    ("import requests_not_here\n", "requirements.txt"),
])
def test_classic_import_errors_explain_the_app_package(worker_module, tmp_path, isolated_imports,
                                                       source, hint):
    app = write_app(tmp_path / "app", {
        "shared_code/__init__.py": "",
        "Fn/example.py": "NAME = 1\n",
        "Fn/__init__.py": source + "def main(req):\n    return 'x'\n",
    })
    sent = []
    dispatcher = worker_module.Dispatcher(sent.append, "rid", str(app))
    dispatcher.dispatch(protos.StreamingMessage(function_load_request=protos.FunctionLoadRequest(
        function_id="fid", metadata=protos.RpcFunctionMetadata(
            name="Fn", directory=str(app / "Fn"), script_file=str(app / "Fn" / "__init__.py"),
            bindings=HTTP_BINDINGS))))
    dispatcher.shutdown()
    result = sent[-1].function_load_response.result
    assert result.status == protos.StatusResult.Failure
    assert f"{app / 'Fn' / '__init__.py'}, line 1" in result.exception.message
    assert hint in result.exception.message, result.exception.message


@pytest.mark.parametrize("categories, expected", [
    ({}, logging.DEBUG),
    ({"default": protos.RpcLog.Warning}, logging.WARNING),
    ({"default": protos.RpcLog.Warning, "Function.hello": protos.RpcLog.Debug}, logging.DEBUG),
    ({"Host.Results": protos.RpcLog.Trace, "default": protos.RpcLog.Information}, logging.INFO),
    ({"default": protos.RpcLog.Level.Value("None")}, logging.CRITICAL + 1),
])
def test_user_log_level_follows_log_categories(worker_module, categories, expected):
    assert worker_module.user_log_level(categories) == expected


def test_init_request_sets_the_root_level(worker_module, tmp_path):
    root = logging.getLogger()
    saved = root.level
    sent = []
    dispatcher = worker_module.Dispatcher(sent.append, "rid", str(tmp_path))
    try:
        dispatcher.dispatch(protos.StreamingMessage(worker_init_request=protos.WorkerInitRequest(
            function_app_directory=str(tmp_path),
            log_categories={"default": protos.RpcLog.Error})))
        assert root.level == logging.ERROR
        dispatcher.dispatch(protos.StreamingMessage(worker_init_request=protos.WorkerInitRequest(
            function_app_directory=str(tmp_path))))
        assert root.level == logging.DEBUG
    finally:
        root.setLevel(saved)
        dispatcher.shutdown()
