import time


async def main(req) -> str:
    # Blocks the worker's event loop: it cannot even answer InvocationCancel.
    time.sleep(float(req.params.get("s", "30")))
    return "blocked"
