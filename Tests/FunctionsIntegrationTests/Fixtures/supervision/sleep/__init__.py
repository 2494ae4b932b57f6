import asyncio
import logging


async def main(req) -> str:
    logging.info("sleep-start")
    await asyncio.sleep(float(req.params.get("s", "1")))
    return "slept"
