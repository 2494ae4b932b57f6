"""Worker wiring: connects transport, dispatcher and logging, and ``main()``."""
from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
import typing

import grpc
import grpc.aio

import FunctionRpc_pb2 as protos

from .constants import LOGGER_NAME, QUIET_LOGGERS
from .cli import parse_args
from .transport import Transport, UnixTransport
from .dispatcher import Dispatcher
from .logs import RpcLogHandler, StdoutForwarder, make_print_sink


class Worker:
    def __init__(self, args: LaunchArgs) -> None:
        self.args = args
        self.leftover_threads = False

    async def run(self) -> int:
        log = logging.getLogger(LOGGER_NAME)
        transport = (UnixTransport(self.args.uds_path) if self.args.uds_path
                     else Transport(self.args.host, self.args.port))
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
    async def _read(transport: Transport, dispatcher: Dispatcher) -> None:
        try:
            serve = getattr(transport, "serve", None)
            if serve is not None:
                await serve(dispatcher.dispatch)
            else:
                async for message in transport.inbound():
                    dispatcher.dispatch(message)
        except grpc.aio.AioRpcError as exc:
            print(f"functions-host python worker: stream ended: {exc.code().name} "
                  f"{exc.details() or ''}".rstrip(), file=sys.stderr, flush=True)
        except OSError as exc:
            print(f"functions-host python worker: connection ended: {exc}", file=sys.stderr, flush=True)


def main(argv: typing.Optional[typing.Sequence[str]] = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="LanguageWorkerConsoleLog%(levelname)s %(name)s: %(message)s")
    worker = Worker(args)
    code = asyncio.run(worker.run())
    sys.stdout.flush()
    sys.stderr.flush()
    if worker.leftover_threads:  # sync functions still running past the grace period
        os._exit(code)
    sys.exit(code)
