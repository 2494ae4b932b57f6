"""Loader / registry: imports the app and describes its functions."""
from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import inspect
import logging
import os
import sys
import typing
import uuid
from pathlib import Path

from google.protobuf.duration_pb2 import Duration
import azure.functions as azf
from azure.functions import _abc as azf_abc
from azure.functions import meta as azf_meta

import FunctionRpc_pb2 as protos

from .constants import (
    APP_PACKAGE, DEFAULT_ENTRY_POINT, DEFAULT_INDEX_SCRIPT, DEFAULT_SCRIPT_FILE,
    DIRECTION_INOUT, DIRECTION_OUT, EMPTY_METADATA, HTTP_TRIGGER, HTTP_TYPES, LOGGER_NAME,
    RETURN_BINDING,
    WORKER_INDEXED, _ANNOTATION_CANDIDATES,
)
from .streaming import PROXY_PROPERTY, is_starlette_request, style_of
from .bindings import (
    GenericBinding, OutValue, TriggerMetadata, _encode, _encode_into, _in_converter,
    _is_subclass, _out_converter, _user_frames, datum_from_typed_data, make_context,
)


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
    properties = {WORKER_INDEXED: "True"}
    trigger = next((b.name for b in fn.get_bindings() if b.type == HTTP_TRIGGER), None)
    if style_of(fn.get_user_function(), trigger) is not None:
        properties[PROXY_PROPERTY] = "true"  # the host proxies it: the worker streams its response
    return protos.RpcFunctionMetadata(
        name=name, function_id=function_id_for(name), directory=app_dir,
        script_file=str(script), entry_point=name, language="python", is_proxy=False,
        raw_bindings=fn.get_raw_bindings(), retry_options=_retry_options(fn),
        properties=properties,
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
        #: The HTTP trigger parameter, its streaming style (streaming.ASGI / GENERATOR / None) and,
        #: for a Starlette/FastAPI ``Request`` parameter, the class to build.
        self.http_trigger = next((p for p, (t, d) in bindings.items()
                                  if t == HTTP_TRIGGER and d != DIRECTION_OUT), None)
        self.stream_style = style_of(func, self.http_trigger, hints)
        self.request_class = None
        declared, accepts_any = set(), False
        entry = f"{getattr(func, '__name__', name)}()"
        for pname, param in signature.parameters.items():
            annotation = hints.get(pname)
            if param.kind is param.VAR_KEYWORD:
                accepts_any = True
            elif param.kind is param.VAR_POSITIONAL:
                pass
            elif pname == self.http_trigger and is_starlette_request(annotation):
                declared.add(pname)  # built from the proxied request, not from TypedData
                self.request_class = annotation
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
            if self.stream_style is not None:
                pass  # a Starlette response, or a generator's items: written to the proxied request
            elif returns is not None and returns is not type(None):
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
