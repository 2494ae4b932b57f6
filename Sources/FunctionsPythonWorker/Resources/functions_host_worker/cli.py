"""CLI arguments: the one launch dialect the host uses."""
from __future__ import annotations

import argparse
import os
import typing
import urllib.parse

#: Where the functions-host passes the worker id (not on the command line, which every local user can
#: read in /proc/PID/cmdline). Removed from the environment once read, so functions cannot see it.
WORKER_ID_VARIABLE = "FUNCTIONS_HOST_WORKER_ID"


class LaunchArgs(typing.NamedTuple):
    host: typing.Optional[str]
    port: typing.Optional[int]
    worker_id: str
    request_id: str
    grpc_max_message_length: typing.Optional[int]
    h2_uds_path: typing.Optional[str] = None


def parse_args(argv: typing.Sequence[str],
               environ: typing.Optional[typing.MutableMapping[str, str]] = None) -> LaunchArgs:
    """Parses both launch dialects; the ``--functions-*`` ones win. Unknown args are ignored. The
    worker id may come from ``FUNCTIONS_HOST_WORKER_ID`` in ``environ`` (default ``os.environ``)
    instead; that variable is always removed from ``environ``.

    Where to connect, first match wins: ``--functions-h2-uds-path PATH`` (the EventStream over
    HTTP/2 on a Unix socket), else TCP to ``--functions-uri`` or ``--host``/``--port``."""
    environ = os.environ if environ is None else environ
    id_from_environment = environ.pop(WORKER_ID_VARIABLE, None)
    parser = argparse.ArgumentParser(prog="worker.py", allow_abbrev=False)
    for flag, kind in (("--host", str), ("--port", int), ("--workerId", str),
                       ("--requestId", str), ("--grpcMaxMessageLength", int),
                       ("--functions-uri", str), ("--functions-worker-id", str),
                       ("--functions-request-id", str),
                       ("--functions-grpc-max-message-length", int),
                       ("--functions-h2-uds-path", str)):
        parser.add_argument(flag, type=kind)
    ns, _unknown = parser.parse_known_args(list(argv))
    host, port = ns.host, ns.port
    if ns.functions_uri:
        uri = urllib.parse.urlsplit(ns.functions_uri)
        host, port = uri.hostname or host, uri.port or port
    worker_id = ns.functions_worker_id or ns.workerId or id_from_environment
    if not (ns.functions_h2_uds_path or (host and port)) or not worker_id:
        parser.error("need --functions-uri (or --host/--port, or a Unix socket: "
                     "--functions-h2-uds-path) and --functions-worker-id "
                     f"(or --workerId, or {WORKER_ID_VARIABLE} in the environment)")
    return LaunchArgs(host, port, worker_id, ns.functions_request_id or ns.requestId or "",
                      ns.functions_grpc_max_message_length or ns.grpcMaxMessageLength,
                      ns.functions_h2_uds_path)
