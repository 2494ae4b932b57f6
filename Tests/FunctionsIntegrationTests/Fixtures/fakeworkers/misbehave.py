"""A worker that misbehaves on purpose, for the host's supervision tests.

Usage: python misbehave.py MODE <standard launch arguments>
  hang-init   : sends StartStream, then never answers WorkerInitRequest
  exit-on-load: answers init, then exits with code 3 on the first FunctionLoadRequest
"""
import argparse
import asyncio
import os
import sys

sys.path.insert(0, os.environ["FUNCTIONS_WORKER_DIRECTORY"])
import grpc  # noqa: E402
import FunctionRpc_pb2 as pb  # noqa: E402


async def run(mode, host, port, worker_id):
    channel = grpc.aio.insecure_channel(f"{host}:{port}")
    call = channel.stream_stream(
        "/AzureFunctionsRpcMessages.FunctionRpc/EventStream",
        request_serializer=pb.StreamingMessage.SerializeToString,
        response_deserializer=pb.StreamingMessage.FromString,
    )()
    await call.write(pb.StreamingMessage(start_stream=pb.StartStream(worker_id=worker_id)))
    async for message in call:
        kind = message.WhichOneof("content")
        if kind == "worker_init_request":
            if mode == "hang-init":
                continue
            response = pb.WorkerInitResponse(result=pb.StatusResult(status=pb.StatusResult.Success))
            await call.write(pb.StreamingMessage(worker_init_response=response))
        elif kind == "function_load_request" and mode == "exit-on-load":
            print("exit-on-load: exiting with code 3 as asked", file=sys.stderr, flush=True)
            os._exit(3)


def main():
    mode = sys.argv[1]
    parser = argparse.ArgumentParser()
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    parser.add_argument("--workerId")
    args, _ = parser.parse_known_args(sys.argv[2:])
    asyncio.run(run(mode, args.host, args.port, args.workerId))


if __name__ == "__main__":
    main()
