"""Worker wiring: connects transport, dispatcher and logging, and ``main()``."""
from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
import typing

import FunctionRpc_pb2 as protos

from .constants import LOGGER_NAME, QUIET_LOGGERS
from .cli import LaunchArgs, parse_args
from .transport import Transport

try:
    from .h2client import H2Transport
    H2_MISSING = ""
except ImportError as exc:  # h2 not installed (an old environment): the grpcio client still works
    H2Transport = None
    H2_MISSING = (f"{exc}: the worker's files are incomplete"
                  if (exc.name or "").startswith("functions_host_worker")
                  else f"{exc}: pip install -r requirements.txt")

#: Environment switch for comparisons: ``grpcio`` runs the TCP EventStream on grpc.aio instead of
#: the h2 client (and on asyncio's own event loop instead of uvloop).
CLIENT_ENV = "FUNCTIONS_HOST_WORKER_CLIENT"
from .dispatcher import Dispatcher
from .logs import RpcLogHandler, StdoutForwarder, make_print_sink


class Worker:
    def __init__(self, args: LaunchArgs) -> None:
        self.args = args
        self.leftover_threads = False

    async def run(self) -> int:
        log = logging.getLogger(LOGGER_NAME)
        transport = make_transport(self.args)
        try:
            await transport.connect()
        except ConnectionError as exc:
            print(f"functions-host python worker: {exc}", file=sys.stderr, flush=True)
            return 1
        app_dir = (os.environ.get("FUNCTIONS_APPLICATION_DIRECTORY")
                   or os.environ.get("AzureWebJobsScriptRoot") or os.getcwd())
        thread_local, stopped = threading.local(), asyncio.Event()
        stdout = StdoutForwarder(sys.stdout, thread_local)
        dispatcher = Dispatcher(transport.post, self.args.request_id, app_dir, stdout,
                                thread_local, stopped.set)
        transport.post(protos.StreamingMessage(
            request_id=self.args.request_id,
            start_stream=protos.StartStream(worker_id=self.args.worker_id)))
        root = logging.getLogger()
        root.setLevel(logging.DEBUG)  # user records at every level go to the host, which filters
        for name, level in QUIET_LOGGERS:
            logging.getLogger(name).setLevel(level)
        console_handlers = list(root.handlers)
        rpc_handler = RpcLogHandler(transport.post, self.args.request_id, dispatcher.thread_local)
        for handler in console_handlers:
            root.removeHandler(handler)
        root.addHandler(rpc_handler)
        stdout.sink = make_print_sink(transport.post, self.args.request_id)
        real_stdout, sys.stdout = sys.stdout, stdout
        reader = asyncio.create_task(self._read(transport, dispatcher))
        stopper = asyncio.create_task(stopped.wait())
        terminated = False
        try:
            done, _ = await asyncio.wait({reader, stopper}, return_when=asyncio.FIRST_COMPLETED)
            terminated = stopper in done
            if terminated:
                log.info("worker terminating at the host's request")
            await transport.close(flush=terminated)
        finally:
            reader.cancel()
            stopper.cancel()
            sys.stdout = real_stdout
            root.removeHandler(rpc_handler)
            for handler in console_handlers:
                root.addHandler(handler)
            self.leftover_threads = dispatcher.shutdown()
        if not terminated:
            print("functions-host python worker: the host closed the stream; exiting",
                  file=sys.stderr, flush=True)
        return 0

    @staticmethod
    async def _read(transport, dispatcher: Dispatcher) -> None:
        try:
            serve = getattr(transport, "serve", None)
            if serve is not None:
                await serve(dispatcher.dispatch)
            else:
                import grpc.aio  # only the grpcio fallback has no serve()
                try:
                    async for message in transport.inbound():
                        dispatcher.dispatch(message)
                except grpc.aio.AioRpcError as exc:
                    print(f"functions-host python worker: stream ended: {exc.code().name} "
                          f"{exc.details() or ''}".rstrip(), file=sys.stderr, flush=True)
        except OSError as exc:
            print(f"functions-host python worker: connection ended: {exc}", file=sys.stderr, flush=True)


def use_grpcio() -> bool:
    """True when the TCP EventStream runs on grpc.aio: asked for, or h2 is not installed."""
    return H2Transport is None or os.environ.get(CLIENT_ENV, "").lower() == "grpcio"


def make_transport(args: LaunchArgs):
    """The transport the launch arguments ask for (see :func:`parse_args`)."""
    if args.h2_uds_path:
        if use_grpcio():  # grpc.aio speaks the same EventStream on a unix: target
            return Transport(f"unix:{args.h2_uds_path}")
        return H2Transport(path=args.h2_uds_path)
    if use_grpcio():
        return Transport(args.host, args.port)
    return H2Transport(host=args.host, port=args.port)


def run_loop(coroutine, uvloop_allowed: bool = True):
    """Runs the worker's event loop: uvloop where it is installed (and Python has
    asyncio.Runner), else asyncio's own."""
    if uvloop_allowed and hasattr(asyncio, "Runner"):
        try:
            import uvloop
        except ImportError:
            uvloop = None
        if uvloop is not None:
            with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                return runner.run(coroutine)
    return asyncio.run(coroutine)


def main(argv: typing.Optional[typing.Sequence[str]] = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="LanguageWorkerConsoleLog%(levelname)s %(name)s: %(message)s")
    if H2_MISSING:
        logging.getLogger(LOGGER_NAME).warning(
            "the h2 EventStream client is unavailable (%s); using grpcio instead, which costs "
            "several times more CPU per message", H2_MISSING)
    worker = Worker(args)
    grpcio = use_grpcio()
    code = run_loop(worker.run(), uvloop_allowed=not grpcio)
    sys.stdout.flush()
    sys.stderr.flush()
    if worker.leftover_threads:  # sync functions still running past the grace period
        os._exit(code)
    sys.exit(code)
