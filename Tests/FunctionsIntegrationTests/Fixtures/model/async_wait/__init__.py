import asyncio
import threading


async def main(req):
    await asyncio.sleep(0.5)
    return threading.current_thread().name
