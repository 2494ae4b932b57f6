import logging
import time


def main(req) -> str:
    logging.info("slowsync-start")
    time.sleep(float(req.params.get("s", "1")))
    return "slow"
