"""Queue benchmark: answers with the enqueue-to-invocation delay (the message body is the send time)."""
import time


def main(msg: str) -> str:
    return f"{(time.time() - float(msg)) * 1000.0:.3f}"
