"""Launch-argument parsing: both host dialects, preference, tolerance of extra arguments."""
import pytest

CLASSIC = ["--host", "127.0.0.1", "--port", "7071", "--workerId", "w-classic",
           "--requestId", "r-classic", "--grpcMaxMessageLength", "2147483647"]
FUNCTIONS = ["--functions-uri", "http://127.0.0.2:8081/", "--functions-worker-id", "w-fn",
             "--functions-request-id", "r-fn", "--functions-grpc-max-message-length", "1024"]


def test_classic_dialect(worker_module):
    args = worker_module.parse_args(CLASSIC)
    assert args == worker_module.LaunchArgs("127.0.0.1", 7071, "w-classic", "r-classic",
                                            2147483647)


def test_functions_dialect_alone(worker_module):
    args = worker_module.parse_args(FUNCTIONS)
    assert (args.host, args.port, args.worker_id, args.request_id) == \
        ("127.0.0.2", 8081, "w-fn", "r-fn")
    assert args.grpc_max_message_length == 1024


def test_functions_dialect_wins_when_both_are_given(worker_module):
    args = worker_module.parse_args(CLASSIC + FUNCTIONS)
    assert (args.host, args.port, args.worker_id, args.request_id) == \
        ("127.0.0.2", 8081, "w-fn", "r-fn")


def test_unknown_arguments_are_tolerated(worker_module):
    args = worker_module.parse_args(["--something-new", "x", *CLASSIC, "--flag", "positional"])
    assert args.worker_id == "w-classic"


def test_missing_endpoint_is_a_usage_error(worker_module, capsys):
    with pytest.raises(SystemExit) as exit_info:
        worker_module.parse_args(["--workerId", "w"])
    assert exit_info.value.code != 0
    assert "--functions-uri" in capsys.readouterr().err


def test_the_worker_id_may_come_from_the_environment_which_then_forgets_it(worker_module):
    no_id = [a for a in FUNCTIONS if a not in ("--functions-worker-id", "w-fn")]
    environ = {"FUNCTIONS_HOST_WORKER_ID": "w-env", "OTHER": "kept"}
    args = worker_module.parse_args(no_id, environ)
    assert args.worker_id == "w-env"
    assert environ == {"OTHER": "kept"}  # functions cannot read it
    # A command-line id (stock launch) still works, and the variable is removed all the same.
    environ = {"FUNCTIONS_HOST_WORKER_ID": "w-env"}
    assert worker_module.parse_args(FUNCTIONS, environ).worker_id == "w-fn"
    assert environ == {}


def test_no_worker_id_anywhere_is_an_error_naming_the_variable(worker_module, capsys):
    no_id = [a for a in FUNCTIONS if a not in ("--functions-worker-id", "w-fn")]
    with pytest.raises(SystemExit):
        worker_module.parse_args(no_id, {})
    assert "FUNCTIONS_HOST_WORKER_ID" in capsys.readouterr().err


def test_h2_unix_socket_path(worker_module):
    args = worker_module.parse_args(CLASSIC + ["--functions-h2-uds-path", "/tmp/h.sock"])
    assert args.h2_uds_path == "/tmp/h.sock"
    # The raw-frame socket is gone: its flag is ignored like any unknown argument, and is no way in.
    assert not hasattr(args, "uds_path")
    with pytest.raises(SystemExit):
        worker_module.parse_args(["--functions-uds-path", "/tmp/r.sock", "--functions-worker-id", "w"], {})


def test_a_socket_path_alone_is_enough_to_connect(worker_module):
    args = worker_module.parse_args(["--functions-h2-uds-path", "/tmp/h.sock",
                                     "--functions-worker-id", "w"])
    assert (args.h2_uds_path, args.worker_id, args.host, args.port) == \
        ("/tmp/h.sock", "w", None, None)


def test_transport_choice(worker_module, monkeypatch):
    import asyncio

    async def choose(argv):
        return type(worker_module.make_transport(worker_module.parse_args(argv))).__name__

    def chosen(argv):
        return asyncio.run(choose(argv))

    monkeypatch.delenv("FUNCTIONS_HOST_WORKER_CLIENT", raising=False)
    assert chosen(CLASSIC) == "H2Transport"
    assert chosen(CLASSIC + ["--functions-h2-uds-path", "/tmp/h.sock"]) == "H2Transport"
    monkeypatch.setenv("FUNCTIONS_HOST_WORKER_CLIENT", "grpcio")
    assert chosen(CLASSIC) == "Transport"
    assert chosen(CLASSIC + ["--functions-h2-uds-path", "/tmp/h.sock"]) == "Transport"
