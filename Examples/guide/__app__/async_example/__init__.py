import asyncio

import azure.functions as func


async def some_nonblocking_socket_io_op():
    await asyncio.sleep(0.5)
    return 'awaited without blocking the worker'


async def main(req: func.HttpRequest) -> str:
    return await some_nonblocking_socket_io_op()
