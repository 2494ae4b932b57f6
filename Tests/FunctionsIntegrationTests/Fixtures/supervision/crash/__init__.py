import os
import signal


def main(req) -> str:
    os.kill(os.getpid(), signal.SIGKILL)
    return "unreachable"
