"""Log records and print() output become RpcLog messages tagged with the invocation id."""
import contextvars
import io
import logging
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

import FunctionRpc_pb2 as protos

L = protos.RpcLog


@pytest.mark.parametrize("levelno, expected", [
    (logging.CRITICAL, L.Critical), (logging.ERROR, L.Error), (logging.WARNING, L.Warning),
    (logging.INFO, L.Information), (logging.DEBUG, L.Debug), (5, L.Trace),
    (logging.INFO + 5, L.Information),
])
def test_level_mapping(worker_module, levelno, expected):
    assert worker_module.rpc_level(levelno) == expected


def make_record(name, level=logging.INFO, msg="hello %s", args=("world",), exc_info=None):
    return logging.LogRecord(name, level, __file__, 1, msg, args, exc_info)


def handler_with_sink(worker_module, thread_local=None):
    sent = []
    return worker_module.RpcLogHandler(sent.append, "rid", thread_local or threading.local()), sent


def test_record_in_an_invocation_carries_its_id(worker_module):
    handler, sent = handler_with_sink(worker_module)

    def in_invocation():
        worker_module.INVOCATION_ID.set("inv-42")
        handler.emit(make_record("my.module", logging.WARNING))
    contextvars.copy_context().run(in_invocation)
    (message,) = sent
    assert message.request_id == "rid"
    log = message.rpc_log
    assert (log.invocation_id, log.category, log.level, log.message, log.log_category) == \
        ("inv-42", "my.module", L.Warning, "hello world", L.User)


def test_record_outside_an_invocation_has_no_id(worker_module):
    handler, sent = handler_with_sink(worker_module)
    handler.emit(make_record("root"))
    assert sent[0].rpc_log.invocation_id == ""


@pytest.mark.parametrize("name, category", [
    ("azure_functions_worker.dispatcher", L.System), ("azure.functions.http", L.System),
    ("functions_host_worker", L.System), ("azure.storage.blob", L.User), ("app", L.User),
])
def test_log_category(worker_module, name, category):
    handler, sent = handler_with_sink(worker_module)
    handler.emit(make_record(name))
    assert sent[0].rpc_log.log_category == category


def test_exception_info_becomes_rpc_exception(worker_module):
    handler, sent = handler_with_sink(worker_module)
    try:
        raise KeyError("missing")
    except KeyError:
        handler.emit(make_record("app", logging.ERROR, "failed", (), sys.exc_info()))
    log = sent[0].rpc_log
    assert log.level == L.Error and log.message == "failed"
    assert log.exception.message == "KeyError: 'missing'"
    assert "test_logging.py" in log.exception.stack_trace


def test_thread_local_storage_tags_user_threads(worker_module):
    tls = threading.local()
    handler, sent = handler_with_sink(worker_module, tls)

    def user_thread():
        tls.invocation_id = "inv-thread"
        handler.emit(make_record("app"))
    thread = threading.Thread(target=user_thread)
    thread.start()
    thread.join()
    assert sent[0].rpc_log.invocation_id == "inv-thread"


def test_context_var_flows_into_pool_threads(worker_module):
    handler, sent = handler_with_sink(worker_module)

    def invocation():
        worker_module.INVOCATION_ID.set("inv-pool")
        with ThreadPoolExecutor(1) as pool:
            pool.submit(contextvars.copy_context().run, handler.emit, make_record("app")).result()
    contextvars.copy_context().run(invocation)
    assert sent[0].rpc_log.invocation_id == "inv-pool"


def test_print_lines_in_an_invocation_become_logs(worker_module):
    real = io.StringIO()
    forwarder = worker_module.StdoutForwarder(real, threading.local())
    sent = []
    forwarder.sink = worker_module.make_print_sink(sent.append, "rid")

    def invocation():
        worker_module.INVOCATION_ID.set("inv-7")
        print("first line", file=forwarder)
        print("a", "b", file=forwarder, end="")
        assert len(sent) == 1  # the unfinished line is held back
        forwarder.flush_invocation("inv-7")
    contextvars.copy_context().run(invocation)
    print("outside", file=forwarder)
    logs = [m.rpc_log for m in sent]
    assert [(x.invocation_id, x.message, x.level, x.log_category) for x in logs] == [
        ("inv-7", "first line", L.Information, L.User), ("inv-7", "a b", L.Information, L.User)]
    assert real.getvalue() == "outside\n"
