"""Load-time checks of a function's signature against its bindings (the guide's type annotations)."""
import typing

import pytest

import azure.functions as func

HTTP = {"req": ("httpTrigger", 0), "$return": ("http", 1)}


def info(worker_module, handler, bindings=None):
    return worker_module.FunctionInfo("fid", "myfunc", "/app", handler,
                                      HTTP if bindings is None else bindings)


def load_error(worker_module, handler, bindings=None) -> str:
    with pytest.raises(worker_module.FunctionLoadError) as caught:
        info(worker_module, handler, bindings)
    return str(caught.value)


def test_guide_signatures_load(worker_module):
    def untyped(req):
        return "x"

    def typed(req: func.HttpRequest, context: func.Context) -> func.HttpResponse:
        return func.HttpResponse("x")

    def outputs(req: func.HttpRequest, msg: func.Out[func.QueueMessage]) -> str:
        return "x"

    def str_input(msg: str, extra: bytes) -> None:
        pass

    def queue_message(msg: func.QueueMessage) -> str:
        return "x"

    assert info(worker_module, untyped).context_param is None
    assert info(worker_module, typed).context_param == "context"
    several = {**HTTP, "msg": ("queue", 1)}
    assert [o[0] for o in info(worker_module, outputs, several).outputs] == ["msg"]
    generic = info(worker_module, str_input, {"msg": ("queueTrigger", 0), "extra": ("blob", 0)})
    assert generic.inputs["msg"][0].__self__ is worker_module.GenericBinding, \
        "a str-annotated trigger gets the raw value, as in the stock worker"
    rich = info(worker_module, queue_message, {"msg": ("queueTrigger", 0)})
    assert rich.inputs["msg"][0].__self__ is not worker_module.GenericBinding


@pytest.mark.parametrize("handler_source, bindings, expected", [
    ("def main(req: str) -> str: ...", None,
     ["myfunc", "'req'", "str", "azure.functions.HttpRequest"]),
    ("def main(msg: func.HttpRequest): ...", {"msg": ("queueTrigger", 0)},
     ["myfunc", "'msg'", "azure.functions.HttpRequest", "azure.functions.QueueMessage"]),
    ("def main(req: func.HttpRequest, msg: str) -> str: ...", {**HTTP, "msg": ("queue", 1)},
     ["myfunc", "'msg'", "output binding", "azure.functions.Out[azure.functions.QueueMessage]"]),
    ("def main(req: func.HttpRequest, msg: func.Out[func.HttpRequest]) -> str: ...",
     {**HTTP, "msg": ("queue", 1)},
     ["myfunc", "'msg'", "Out[azure.functions.HttpRequest]", "azure.functions.QueueMessage"]),
    ("def main(req: func.Out[func.HttpRequest]) -> str: ...", None,
     ["myfunc", "'req'", "input"]),
    ("def main(req: func.HttpRequest) -> int: ...", None,
     ["myfunc", "return annotation", "int", "azure.functions.HttpResponse or str"]),
    ("def main(req: func.HttpRequest) -> func.Out[str]: ...", None,
     ["myfunc", "return annotation", "azure.functions.Out"]),
    ("def main(req: func.HttpRequest, context: str) -> str: ...", None,
     ["myfunc", "'context'", "azure.functions.Context"]),
    ("def main(req, unknown) -> str: ...", None,
     ["myfunc", "'unknown'", "'req'"]),
    ("def main(req: func.HttpRequest) -> str: ...", {**HTTP, "msg": ("queue", 1)},
     ["myfunc", "'msg'", "msg: azure.functions.Out[azure.functions.QueueMessage]"]),
    ("def main(req: func.HttpRequest) -> str: ...", {**HTTP, "doc": ("blob", 0)},
     ["myfunc", "'doc'", "doc: azure.functions.InputStream"]),
])
def test_mismatches_name_function_parameter_and_expected_type(worker_module, handler_source,
                                                              bindings, expected):
    namespace = {"func": func, "typing": typing}
    exec(handler_source, namespace)
    message = load_error(worker_module, namespace["main"], bindings)
    for fragment in expected:
        assert fragment in message, message


def test_var_keyword_accepts_undeclared_bindings(worker_module):
    def main(req, **rest):
        return "x"

    loaded = info(worker_module, main, {**HTTP, "doc": ("blob", 0)})
    assert set(loaded.inputs) == {"req", "doc"}


def test_parameter_with_default_may_lack_a_binding(worker_module):
    def main(req, verbose=False):
        return "x"

    assert set(info(worker_module, main).inputs) == {"req"}


def test_unknown_binding_type_is_generic(worker_module):
    def main(req: func.HttpRequest, thing: str) -> str:
        return "x"

    def wrong(req: func.HttpRequest, thing: dict) -> str:
        return "x"

    bindings = {**HTTP, "thing": ("madeUpBinding", 0)}
    assert info(worker_module, main, bindings).inputs["thing"][1] == "madeUpBinding"
    message = load_error(worker_module, wrong, bindings)
    assert "'thing'" in message and "str or bytes" in message, message


def test_an_input_without_data_is_a_clear_error(worker_module):
    import FunctionRpc_pb2 as protos

    def main(msg: func.QueueMessage, obj: func.InputStream, extra: str = "default") -> str:
        return "x"

    loaded = info(worker_module, main, {"msg": ("queueTrigger", 0), "obj": ("blob", 0),
                                        "extra": ("blob", 0), "$return": ("queue", 1)})
    request = protos.InvocationRequest(invocation_id="i", function_id="fid")
    request.input_data.add(name="msg", data=protos.TypedData(string="hello"))
    with pytest.raises(TypeError, match="'blob' input binding 'obj' of function 'myfunc' received "
                                        "no data from the host \\(bindings sent: 'msg'\\)"):
        loaded.build_args(request, None)
    request.input_data.add(name="obj", data=protos.TypedData(bytes=b"blob"))
    args = loaded.build_args(request, None)
    assert set(args) == {"msg", "obj"}, "an input with a Python default may be left out"
