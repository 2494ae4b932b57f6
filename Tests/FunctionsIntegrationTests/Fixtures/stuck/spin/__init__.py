import logging
import time


def main(req) -> str:
    # A sync function that never yields: Python cannot stop its thread.
    logging.info("spin-start")
    deadline = time.monotonic() + float(req.params.get("s", "600"))
    while time.monotonic() < deadline:
        pass
    return "spun"
